# The command list is driver/commands.def: every command there is listed,
# and nothing else. Only the fixed text is compared, so that adding a
# command does not change this golden.
$QFORGE --help >$TMP/help
echo "exit $?"
sed -n '/^commands:/q;p' $TMP/help
sed -n '/^options:/,$p' $TMP/help
n=0
for c in $(sed -n 's/^CMD(\([a-z_]*\),.*/\1/p' driver/commands.def); do
	n=$((n + 1))
	grep -q "^  $c  " $TMP/help || echo "not listed: $c"
done
m=$(sed -n '/^commands:/,/^$/p' $TMP/help | grep -c '^  ')
[ "$n" -gt 0 ] && [ "$n" = "$m" ] && echo "lists every command of commands.def, and no other" || echo "commands.def has $n commands, --help lists $m"
