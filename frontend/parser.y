/* placeholder until the frontend lands */
%define api.pure full
%define parse.error detailed
%locations
%expect 0
%code { int yylex(void *lval, void *lloc); void yyerror(void *loc, const char *m); }
%%
file: %empty ;
%%
