; ModuleID = 'tiny'
source_filename = "tiny"
target datalayout = "e-m:e-p:32:32-Fi8-i64:64-v128:64:128-a:0:32-n32-S64"
target triple = "thumbv7em-none-eabi"

@qf_tiny_L0_rq = internal unnamed_addr constant [128 x i8] c"\00\00\00@\00\01\FF\FF\09\00\00\00\D4\FE\FF\FF\00\00\00A\00\02\FE\FF\0A\00\00\008\FF\FF\FF\00\00\00B\00\04\FC\FF\0B\00\00\00\9C\FF\FF\FF\00\00\00C\00\01\FF\FF\09\00\00\00\00\00\00\00\00\00\00D\00\02\FE\FF\0A\00\00\00d\00\00\00\00\00\00E\00\04\FC\FF\0B\00\00\00\C8\00\00\00\00\00\00F\00\01\FF\FF\09\00\00\00,\01\00\00\00\00\00G\00\02\FE\FF\0A\00\00\00\90\01\00\00", align 4
@qf_tiny_L0_w = internal unnamed_addr constant [288 x i8] c"\00%Jo\94\B9\DE\03(Mr\97\BC\E1\06+Pu\9A\BF\E4\09.Sx\9D\C2\E7\0C1V{\A0\C5\EA\0F4Y~\A3\C8\ED\127\\\81\A6\CB\F0\15:_\84\A9\CE\F3\18=b\87\AC\D1\F6\1B@e\8A\AF\D4\F9\1ECh\8D\B2\D7\FC!Fk\90\B5\DA\FF$In\93\B8\DD\02'Lq\96\BB\E0\05*Ot\99\BE\E3\08-Rw\9C\C1\E6\0B0Uz\9F\C4\E9\0E3X}\A2\C7\EC\116[\80\A5\CA\EF\149^\83\A8\CD\F2\17<a\86\AB\D0\F5\1A?d\89\AE\D3\F8\1DBg\8C\B1\D6\FB Ej\8F\B4\D9\FE#Hm\92\B7\DC\01&Kp\95\BA\DF\04)Ns\98\BD\E2\07,Qv\9B\C0\E5\0A/Ty\9E\C3\E8\0D2W|\A1\C6\EB\105Z\7F\A4\C9\EE\138]\82\A7\CC\F1\16;`\85\AA\CF\F4\19>c\88\AD\D2\F7\1CAf\8B\B0\D5\FA\1FDi\8E\B3\D8\FD\22Gl\91\B6\DB\00%Jo\94\B9\DE\03(Mr\97\BC\E1\06+Pu\9A\BF\E4\09.Sx\9D\C2\E7\0C1V{", align 4
@qf_tiny_L0_pad = internal unnamed_addr constant [4 x i8] zeroinitializer, align 4
@qf_tiny_L2_rq = internal unnamed_addr constant [48 x i8] c"\00\00\00@\00\0B\00\00\09\00\00\00@\ED\FF\FF\00\00\00A\00\16\00\00\0A\00\00\00\80\F3\FF\FF\00\00\00B\00,\00\00\0B\00\00\00\C0\F9\FF\FF", align 4
@qf_tiny_L2_w = internal unnamed_addr constant [108 x i8] c"\06a[\83J\FA\9F\1C\8E\83\D3\A6\C2\1D\17O\06\B6[\D8JO\9Fa\8E\D8\D3\FB\C2b\17\94\06\0B[-J\94\9F\B6\8E-\D3@\C2\B7\17\E9\06P[rJ\E9\9F\0B\8Er\D3\95\C2\0C\17>\06\A5[\C7J>\9FP\8E\C7\D3\EA\C2Q\17\83\06\FA[\1CJ\83\9F\A5\8E\1C\D3?\C2\A6\17\D8\06O[aJ\D8\9F\FA\8Ea\D3\84", align 4

; Function Attrs: noinline nounwind
define internal void @qf_tiny_L0(i8* readonly %0, i8* %1, i8* %2) #0 {
entry:
  %3 = getelementptr inbounds i8, i8* %1, i32 288
  br label %pix

pix:                                              ; preds = %71, %entry
  %pix1 = phi i32 [ 0, %entry ], [ %72, %71 ]
  br label %colp

4:                                                ; preds = %71
  ret void

colp:                                             ; preds = %27, %pix
  %colp2 = phi i32 [ 0, %pix ], [ %28, %27 ]
  %5 = udiv i32 %pix1, 3
  %6 = mul i32 %5, 3
  %7 = sub i32 %pix1, %6
  %8 = udiv i32 %colp2, 2
  %9 = mul i32 %8, 2
  %10 = sub i32 %colp2, %9
  %11 = mul i32 %5, 2
  %12 = add i32 %11, %8
  %13 = mul i32 %7, 2
  %14 = add i32 %13, %10
  %15 = mul i32 %12, 6
  %16 = add i32 %15, %14
  %17 = udiv i32 %16, 6
  %18 = mul i32 %17, 6
  %19 = sub i32 %16, %18
  %20 = mul i32 %17, 1
  %21 = sub i32 %20, 1
  %22 = mul i32 %19, 1
  %23 = sub i32 %22, 1
  br label %ky

24:                                               ; preds = %27
  br label %chan

ky:                                               ; preds = %57, %colp
  %ky3 = phi i32 [ 0, %colp ], [ %58, %57 ]
  %25 = add i32 %21, %ky3
  %26 = icmp ult i32 %25, 6
  br label %kx

27:                                               ; preds = %57
  %28 = add nsw i32 %colp2, 1
  %29 = icmp slt i32 %28, 4
  br i1 %29, label %colp, label %24

kx:                                               ; preds = %kx, %ky
  %kx4 = phi i32 [ 0, %ky ], [ %55, %kx ]
  %30 = add i32 %23, %kx4
  %31 = icmp ult i32 %30, 6
  %32 = and i1 %26, %31
  %33 = mul i32 %25, 6
  %34 = add i32 %33, %30
  %35 = mul i32 %34, 4
  %36 = select i1 %32, i32 %35, i32 0
  %37 = getelementptr inbounds i8, i8* %0, i32 %36
  %38 = select i1 %32, i8* %37, i8* getelementptr inbounds ([4 x i8], [4 x i8]* @qf_tiny_L0_pad, i32 0, i32 0)
  %39 = mul i32 %ky3, 3
  %40 = add i32 %39, %kx4
  %41 = mul i32 %colp2, 8
  %42 = mul i32 %40, 32
  %43 = add i32 %42, %41
  %44 = getelementptr inbounds i8, i8* %3, i32 %43
  %45 = getelementptr inbounds i8, i8* %38, i32 0
  %46 = bitcast i8* %45 to i32*
  %47 = load i32, i32* %46, align 1
  %48 = call i32 @llvm.fshr.i32(i32 %47, i32 %47, i32 8)
  %49 = call i32 @llvm.arm.uxtab16(i32 0, i32 %47)
  %50 = call i32 @llvm.arm.uxtab16(i32 0, i32 %48)
  %51 = getelementptr inbounds i8, i8* %44, i32 0
  %52 = bitcast i8* %51 to i32*
  store i32 %49, i32* %52, align 4
  %53 = getelementptr inbounds i8, i8* %44, i32 4
  %54 = bitcast i8* %53 to i32*
  store i32 %50, i32* %54, align 4
  %55 = add nsw i32 %kx4, 1
  %56 = icmp slt i32 %55, 3
  br i1 %56, label %kx, label %57

57:                                               ; preds = %kx
  %58 = add nsw i32 %ky3, 1
  %59 = icmp slt i32 %58, 3
  br i1 %59, label %ky, label %27

chan:                                             ; preds = %chan, %24
  %chan5 = phi i32 [ 0, %24 ], [ %69, %chan ]
  %60 = mul i32 %chan5, 1
  %61 = call i32 @llvm.smin.i32(i32 %60, i32 7)
  %62 = mul i32 %chan5, 36
  %63 = getelementptr inbounds i8, i8* getelementptr inbounds ([288 x i8], [288 x i8]* @qf_tiny_L0_w, i32 0, i32 0), i32 %62
  %64 = shl i32 %61, 4
  %65 = getelementptr inbounds i8, i8* getelementptr inbounds ([128 x i8], [128 x i8]* @qf_tiny_L0_rq, i32 0, i32 0), i32 %64
  %66 = getelementptr inbounds i8, i8* %1, i32 0
  %67 = mul i32 %pix1, 8
  %68 = add i32 %67, %61
  call void @qf_tiny_L0_tile(i8* %63, i8* %3, i8* %65, i8* %66, i32 %68)
  %69 = add nsw i32 %chan5, 1
  %70 = icmp slt i32 %69, 8
  br i1 %70, label %chan, label %71

71:                                               ; preds = %chan
  %72 = add nsw i32 %pix1, 1
  %73 = icmp slt i32 %72, 9
  br i1 %73, label %pix, label %4
}

; Function Attrs: noinline nounwind
define internal void @qf_tiny_L0_tile(i8* %0, i8* %1, i8* %2, i8* %3, i32 %4) #0 {
entry:
  %5 = alloca [4 x i32], align 4
  %6 = bitcast [4 x i32]* %5 to i8*
  %7 = getelementptr inbounds i8, i8* %2, i32 0
  %8 = bitcast i8* %7 to i32*
  %9 = load i32, i32* %8, align 4
  %10 = getelementptr inbounds i8, i8* %7, i32 4
  %11 = bitcast i8* %10 to i32*
  %12 = load i32, i32* %11, align 4
  %13 = getelementptr inbounds i8, i8* %7, i32 8
  %14 = bitcast i8* %13 to i32*
  %15 = load i32, i32* %14, align 4
  %16 = getelementptr inbounds i8, i8* %7, i32 12
  %17 = bitcast i8* %16 to i32*
  %18 = load i32, i32* %17, align 4
  %19 = getelementptr inbounds i8, i8* %6, i32 0
  %20 = bitcast i8* %19 to i32*
  store i32 %18, i32* %20, align 4
  %21 = getelementptr inbounds i8, i8* %6, i32 4
  %22 = bitcast i8* %21 to i32*
  store i32 %18, i32* %22, align 4
  %23 = getelementptr inbounds i8, i8* %6, i32 8
  %24 = bitcast i8* %23 to i32*
  store i32 %18, i32* %24, align 4
  %25 = getelementptr inbounds i8, i8* %6, i32 12
  %26 = bitcast i8* %25 to i32*
  store i32 %18, i32* %26, align 4
  %27 = getelementptr inbounds i8, i8* %6, i32 0
  %28 = bitcast i8* %27 to i32*
  %29 = load i32, i32* %28, align 4
  %30 = getelementptr inbounds i8, i8* %6, i32 4
  %31 = bitcast i8* %30 to i32*
  %32 = load i32, i32* %31, align 4
  %33 = getelementptr inbounds i8, i8* %6, i32 8
  %34 = bitcast i8* %33 to i32*
  %35 = load i32, i32* %34, align 4
  %36 = getelementptr inbounds i8, i8* %6, i32 12
  %37 = bitcast i8* %36 to i32*
  %38 = load i32, i32* %37, align 4
  %39 = getelementptr inbounds i8, i8* %0, i32 0
  %40 = getelementptr inbounds i8, i8* %1, i32 0
  %41 = call { i32, i32 } asm "ldrd $0, $1, [$2, #0]", "=r,=r,r,~{memory}"(i8* %39)
  %42 = extractvalue { i32, i32 } %41, 0
  %43 = extractvalue { i32, i32 } %41, 1
  %44 = call i32 @llvm.arm.sxtb16(i32 %42)
  %45 = call i32 @llvm.fshr.i32(i32 %42, i32 %42, i32 8)
  %46 = call i32 @llvm.arm.sxtb16(i32 %45)
  %47 = call { i32, i32 } asm "ldrd $0, $1, [$2, #0]", "=r,=r,r,~{memory}"(i8* %40)
  %48 = extractvalue { i32, i32 } %47, 0
  %49 = extractvalue { i32, i32 } %47, 1
  %50 = call i32 @llvm.arm.smlad(i32 %44, i32 %48, i32 %29)
  %51 = call i32 @llvm.arm.smlad(i32 %46, i32 %49, i32 %50)
  %52 = call { i32, i32 } asm "ldrd $0, $1, [$2, #8]", "=r,=r,r,~{memory}"(i8* %40)
  %53 = extractvalue { i32, i32 } %52, 0
  %54 = extractvalue { i32, i32 } %52, 1
  %55 = call i32 @llvm.arm.smlad(i32 %44, i32 %53, i32 %32)
  %56 = call i32 @llvm.arm.smlad(i32 %46, i32 %54, i32 %55)
  %57 = call { i32, i32 } asm "ldrd $0, $1, [$2, #16]", "=r,=r,r,~{memory}"(i8* %40)
  %58 = extractvalue { i32, i32 } %57, 0
  %59 = extractvalue { i32, i32 } %57, 1
  %60 = call i32 @llvm.arm.smlad(i32 %44, i32 %58, i32 %35)
  %61 = call i32 @llvm.arm.smlad(i32 %46, i32 %59, i32 %60)
  %62 = call { i32, i32 } asm "ldrd $0, $1, [$2, #24]", "=r,=r,r,~{memory}"(i8* %40)
  %63 = extractvalue { i32, i32 } %62, 0
  %64 = extractvalue { i32, i32 } %62, 1
  %65 = call i32 @llvm.arm.smlad(i32 %44, i32 %63, i32 %38)
  %66 = call i32 @llvm.arm.smlad(i32 %46, i32 %64, i32 %65)
  %67 = call i32 @llvm.arm.sxtb16(i32 %43)
  %68 = call i32 @llvm.fshr.i32(i32 %43, i32 %43, i32 8)
  %69 = call i32 @llvm.arm.sxtb16(i32 %68)
  %70 = call { i32, i32 } asm "ldrd $0, $1, [$2, #32]", "=r,=r,r,~{memory}"(i8* %40)
  %71 = extractvalue { i32, i32 } %70, 0
  %72 = extractvalue { i32, i32 } %70, 1
  %73 = call i32 @llvm.arm.smlad(i32 %67, i32 %71, i32 %51)
  %74 = call i32 @llvm.arm.smlad(i32 %69, i32 %72, i32 %73)
  %75 = call { i32, i32 } asm "ldrd $0, $1, [$2, #40]", "=r,=r,r,~{memory}"(i8* %40)
  %76 = extractvalue { i32, i32 } %75, 0
  %77 = extractvalue { i32, i32 } %75, 1
  %78 = call i32 @llvm.arm.smlad(i32 %67, i32 %76, i32 %56)
  %79 = call i32 @llvm.arm.smlad(i32 %69, i32 %77, i32 %78)
  %80 = call { i32, i32 } asm "ldrd $0, $1, [$2, #48]", "=r,=r,r,~{memory}"(i8* %40)
  %81 = extractvalue { i32, i32 } %80, 0
  %82 = extractvalue { i32, i32 } %80, 1
  %83 = call i32 @llvm.arm.smlad(i32 %67, i32 %81, i32 %61)
  %84 = call i32 @llvm.arm.smlad(i32 %69, i32 %82, i32 %83)
  %85 = call { i32, i32 } asm "ldrd $0, $1, [$2, #56]", "=r,=r,r,~{memory}"(i8* %40)
  %86 = extractvalue { i32, i32 } %85, 0
  %87 = extractvalue { i32, i32 } %85, 1
  %88 = call i32 @llvm.arm.smlad(i32 %67, i32 %86, i32 %66)
  %89 = call i32 @llvm.arm.smlad(i32 %69, i32 %87, i32 %88)
  %90 = call { i32, i32 } asm "ldrd $0, $1, [$2, #8]", "=r,=r,r,~{memory}"(i8* %39)
  %91 = extractvalue { i32, i32 } %90, 0
  %92 = extractvalue { i32, i32 } %90, 1
  %93 = call i32 @llvm.arm.sxtb16(i32 %91)
  %94 = call i32 @llvm.fshr.i32(i32 %91, i32 %91, i32 8)
  %95 = call i32 @llvm.arm.sxtb16(i32 %94)
  %96 = call { i32, i32 } asm "ldrd $0, $1, [$2, #64]", "=r,=r,r,~{memory}"(i8* %40)
  %97 = extractvalue { i32, i32 } %96, 0
  %98 = extractvalue { i32, i32 } %96, 1
  %99 = call i32 @llvm.arm.smlad(i32 %93, i32 %97, i32 %74)
  %100 = call i32 @llvm.arm.smlad(i32 %95, i32 %98, i32 %99)
  %101 = call { i32, i32 } asm "ldrd $0, $1, [$2, #72]", "=r,=r,r,~{memory}"(i8* %40)
  %102 = extractvalue { i32, i32 } %101, 0
  %103 = extractvalue { i32, i32 } %101, 1
  %104 = call i32 @llvm.arm.smlad(i32 %93, i32 %102, i32 %79)
  %105 = call i32 @llvm.arm.smlad(i32 %95, i32 %103, i32 %104)
  %106 = call { i32, i32 } asm "ldrd $0, $1, [$2, #80]", "=r,=r,r,~{memory}"(i8* %40)
  %107 = extractvalue { i32, i32 } %106, 0
  %108 = extractvalue { i32, i32 } %106, 1
  %109 = call i32 @llvm.arm.smlad(i32 %93, i32 %107, i32 %84)
  %110 = call i32 @llvm.arm.smlad(i32 %95, i32 %108, i32 %109)
  %111 = call { i32, i32 } asm "ldrd $0, $1, [$2, #88]", "=r,=r,r,~{memory}"(i8* %40)
  %112 = extractvalue { i32, i32 } %111, 0
  %113 = extractvalue { i32, i32 } %111, 1
  %114 = call i32 @llvm.arm.smlad(i32 %93, i32 %112, i32 %89)
  %115 = call i32 @llvm.arm.smlad(i32 %95, i32 %113, i32 %114)
  %116 = call i32 @llvm.arm.sxtb16(i32 %92)
  %117 = call i32 @llvm.fshr.i32(i32 %92, i32 %92, i32 8)
  %118 = call i32 @llvm.arm.sxtb16(i32 %117)
  %119 = call { i32, i32 } asm "ldrd $0, $1, [$2, #96]", "=r,=r,r,~{memory}"(i8* %40)
  %120 = extractvalue { i32, i32 } %119, 0
  %121 = extractvalue { i32, i32 } %119, 1
  %122 = call i32 @llvm.arm.smlad(i32 %116, i32 %120, i32 %100)
  %123 = call i32 @llvm.arm.smlad(i32 %118, i32 %121, i32 %122)
  %124 = call { i32, i32 } asm "ldrd $0, $1, [$2, #104]", "=r,=r,r,~{memory}"(i8* %40)
  %125 = extractvalue { i32, i32 } %124, 0
  %126 = extractvalue { i32, i32 } %124, 1
  %127 = call i32 @llvm.arm.smlad(i32 %116, i32 %125, i32 %105)
  %128 = call i32 @llvm.arm.smlad(i32 %118, i32 %126, i32 %127)
  %129 = call { i32, i32 } asm "ldrd $0, $1, [$2, #112]", "=r,=r,r,~{memory}"(i8* %40)
  %130 = extractvalue { i32, i32 } %129, 0
  %131 = extractvalue { i32, i32 } %129, 1
  %132 = call i32 @llvm.arm.smlad(i32 %116, i32 %130, i32 %110)
  %133 = call i32 @llvm.arm.smlad(i32 %118, i32 %131, i32 %132)
  %134 = call { i32, i32 } asm "ldrd $0, $1, [$2, #120]", "=r,=r,r,~{memory}"(i8* %40)
  %135 = extractvalue { i32, i32 } %134, 0
  %136 = extractvalue { i32, i32 } %134, 1
  %137 = call i32 @llvm.arm.smlad(i32 %116, i32 %135, i32 %115)
  %138 = call i32 @llvm.arm.smlad(i32 %118, i32 %136, i32 %137)
  %139 = call { i32, i32 } asm "ldrd $0, $1, [$2, #16]", "=r,=r,r,~{memory}"(i8* %39)
  %140 = extractvalue { i32, i32 } %139, 0
  %141 = extractvalue { i32, i32 } %139, 1
  %142 = call i32 @llvm.arm.sxtb16(i32 %140)
  %143 = call i32 @llvm.fshr.i32(i32 %140, i32 %140, i32 8)
  %144 = call i32 @llvm.arm.sxtb16(i32 %143)
  %145 = call { i32, i32 } asm "ldrd $0, $1, [$2, #128]", "=r,=r,r,~{memory}"(i8* %40)
  %146 = extractvalue { i32, i32 } %145, 0
  %147 = extractvalue { i32, i32 } %145, 1
  %148 = call i32 @llvm.arm.smlad(i32 %142, i32 %146, i32 %123)
  %149 = call i32 @llvm.arm.smlad(i32 %144, i32 %147, i32 %148)
  %150 = call { i32, i32 } asm "ldrd $0, $1, [$2, #136]", "=r,=r,r,~{memory}"(i8* %40)
  %151 = extractvalue { i32, i32 } %150, 0
  %152 = extractvalue { i32, i32 } %150, 1
  %153 = call i32 @llvm.arm.smlad(i32 %142, i32 %151, i32 %128)
  %154 = call i32 @llvm.arm.smlad(i32 %144, i32 %152, i32 %153)
  %155 = call { i32, i32 } asm "ldrd $0, $1, [$2, #144]", "=r,=r,r,~{memory}"(i8* %40)
  %156 = extractvalue { i32, i32 } %155, 0
  %157 = extractvalue { i32, i32 } %155, 1
  %158 = call i32 @llvm.arm.smlad(i32 %142, i32 %156, i32 %133)
  %159 = call i32 @llvm.arm.smlad(i32 %144, i32 %157, i32 %158)
  %160 = call { i32, i32 } asm "ldrd $0, $1, [$2, #152]", "=r,=r,r,~{memory}"(i8* %40)
  %161 = extractvalue { i32, i32 } %160, 0
  %162 = extractvalue { i32, i32 } %160, 1
  %163 = call i32 @llvm.arm.smlad(i32 %142, i32 %161, i32 %138)
  %164 = call i32 @llvm.arm.smlad(i32 %144, i32 %162, i32 %163)
  %165 = call i32 @llvm.arm.sxtb16(i32 %141)
  %166 = call i32 @llvm.fshr.i32(i32 %141, i32 %141, i32 8)
  %167 = call i32 @llvm.arm.sxtb16(i32 %166)
  %168 = call { i32, i32 } asm "ldrd $0, $1, [$2, #160]", "=r,=r,r,~{memory}"(i8* %40)
  %169 = extractvalue { i32, i32 } %168, 0
  %170 = extractvalue { i32, i32 } %168, 1
  %171 = call i32 @llvm.arm.smlad(i32 %165, i32 %169, i32 %149)
  %172 = call i32 @llvm.arm.smlad(i32 %167, i32 %170, i32 %171)
  %173 = call { i32, i32 } asm "ldrd $0, $1, [$2, #168]", "=r,=r,r,~{memory}"(i8* %40)
  %174 = extractvalue { i32, i32 } %173, 0
  %175 = extractvalue { i32, i32 } %173, 1
  %176 = call i32 @llvm.arm.smlad(i32 %165, i32 %174, i32 %154)
  %177 = call i32 @llvm.arm.smlad(i32 %167, i32 %175, i32 %176)
  %178 = call { i32, i32 } asm "ldrd $0, $1, [$2, #176]", "=r,=r,r,~{memory}"(i8* %40)
  %179 = extractvalue { i32, i32 } %178, 0
  %180 = extractvalue { i32, i32 } %178, 1
  %181 = call i32 @llvm.arm.smlad(i32 %165, i32 %179, i32 %159)
  %182 = call i32 @llvm.arm.smlad(i32 %167, i32 %180, i32 %181)
  %183 = call { i32, i32 } asm "ldrd $0, $1, [$2, #184]", "=r,=r,r,~{memory}"(i8* %40)
  %184 = extractvalue { i32, i32 } %183, 0
  %185 = extractvalue { i32, i32 } %183, 1
  %186 = call i32 @llvm.arm.smlad(i32 %165, i32 %184, i32 %164)
  %187 = call i32 @llvm.arm.smlad(i32 %167, i32 %185, i32 %186)
  %188 = call { i32, i32 } asm "ldrd $0, $1, [$2, #24]", "=r,=r,r,~{memory}"(i8* %39)
  %189 = extractvalue { i32, i32 } %188, 0
  %190 = extractvalue { i32, i32 } %188, 1
  %191 = call i32 @llvm.arm.sxtb16(i32 %189)
  %192 = call i32 @llvm.fshr.i32(i32 %189, i32 %189, i32 8)
  %193 = call i32 @llvm.arm.sxtb16(i32 %192)
  %194 = call { i32, i32 } asm "ldrd $0, $1, [$2, #192]", "=r,=r,r,~{memory}"(i8* %40)
  %195 = extractvalue { i32, i32 } %194, 0
  %196 = extractvalue { i32, i32 } %194, 1
  %197 = call i32 @llvm.arm.smlad(i32 %191, i32 %195, i32 %172)
  %198 = call i32 @llvm.arm.smlad(i32 %193, i32 %196, i32 %197)
  %199 = call { i32, i32 } asm "ldrd $0, $1, [$2, #200]", "=r,=r,r,~{memory}"(i8* %40)
  %200 = extractvalue { i32, i32 } %199, 0
  %201 = extractvalue { i32, i32 } %199, 1
  %202 = call i32 @llvm.arm.smlad(i32 %191, i32 %200, i32 %177)
  %203 = call i32 @llvm.arm.smlad(i32 %193, i32 %201, i32 %202)
  %204 = call { i32, i32 } asm "ldrd $0, $1, [$2, #208]", "=r,=r,r,~{memory}"(i8* %40)
  %205 = extractvalue { i32, i32 } %204, 0
  %206 = extractvalue { i32, i32 } %204, 1
  %207 = call i32 @llvm.arm.smlad(i32 %191, i32 %205, i32 %182)
  %208 = call i32 @llvm.arm.smlad(i32 %193, i32 %206, i32 %207)
  %209 = call { i32, i32 } asm "ldrd $0, $1, [$2, #216]", "=r,=r,r,~{memory}"(i8* %40)
  %210 = extractvalue { i32, i32 } %209, 0
  %211 = extractvalue { i32, i32 } %209, 1
  %212 = call i32 @llvm.arm.smlad(i32 %191, i32 %210, i32 %187)
  %213 = call i32 @llvm.arm.smlad(i32 %193, i32 %211, i32 %212)
  %214 = call i32 @llvm.arm.sxtb16(i32 %190)
  %215 = call i32 @llvm.fshr.i32(i32 %190, i32 %190, i32 8)
  %216 = call i32 @llvm.arm.sxtb16(i32 %215)
  %217 = call { i32, i32 } asm "ldrd $0, $1, [$2, #224]", "=r,=r,r,~{memory}"(i8* %40)
  %218 = extractvalue { i32, i32 } %217, 0
  %219 = extractvalue { i32, i32 } %217, 1
  %220 = call i32 @llvm.arm.smlad(i32 %214, i32 %218, i32 %198)
  %221 = call i32 @llvm.arm.smlad(i32 %216, i32 %219, i32 %220)
  %222 = call { i32, i32 } asm "ldrd $0, $1, [$2, #232]", "=r,=r,r,~{memory}"(i8* %40)
  %223 = extractvalue { i32, i32 } %222, 0
  %224 = extractvalue { i32, i32 } %222, 1
  %225 = call i32 @llvm.arm.smlad(i32 %214, i32 %223, i32 %203)
  %226 = call i32 @llvm.arm.smlad(i32 %216, i32 %224, i32 %225)
  %227 = call { i32, i32 } asm "ldrd $0, $1, [$2, #240]", "=r,=r,r,~{memory}"(i8* %40)
  %228 = extractvalue { i32, i32 } %227, 0
  %229 = extractvalue { i32, i32 } %227, 1
  %230 = call i32 @llvm.arm.smlad(i32 %214, i32 %228, i32 %208)
  %231 = call i32 @llvm.arm.smlad(i32 %216, i32 %229, i32 %230)
  %232 = call { i32, i32 } asm "ldrd $0, $1, [$2, #248]", "=r,=r,r,~{memory}"(i8* %40)
  %233 = extractvalue { i32, i32 } %232, 0
  %234 = extractvalue { i32, i32 } %232, 1
  %235 = call i32 @llvm.arm.smlad(i32 %214, i32 %233, i32 %213)
  %236 = call i32 @llvm.arm.smlad(i32 %216, i32 %234, i32 %235)
  %237 = getelementptr inbounds i8, i8* %39, i32 32
  %238 = bitcast i8* %237 to i32*
  %239 = load i32, i32* %238, align 4
  %240 = call i32 @llvm.arm.sxtb16(i32 %239)
  %241 = call i32 @llvm.fshr.i32(i32 %239, i32 %239, i32 8)
  %242 = call i32 @llvm.arm.sxtb16(i32 %241)
  %243 = call { i32, i32 } asm "ldrd $0, $1, [$2, #256]", "=r,=r,r,~{memory}"(i8* %40)
  %244 = extractvalue { i32, i32 } %243, 0
  %245 = extractvalue { i32, i32 } %243, 1
  %246 = call i32 @llvm.arm.smlad(i32 %240, i32 %244, i32 %221)
  %247 = call i32 @llvm.arm.smlad(i32 %242, i32 %245, i32 %246)
  %248 = call { i32, i32 } asm "ldrd $0, $1, [$2, #264]", "=r,=r,r,~{memory}"(i8* %40)
  %249 = extractvalue { i32, i32 } %248, 0
  %250 = extractvalue { i32, i32 } %248, 1
  %251 = call i32 @llvm.arm.smlad(i32 %240, i32 %249, i32 %226)
  %252 = call i32 @llvm.arm.smlad(i32 %242, i32 %250, i32 %251)
  %253 = call { i32, i32 } asm "ldrd $0, $1, [$2, #272]", "=r,=r,r,~{memory}"(i8* %40)
  %254 = extractvalue { i32, i32 } %253, 0
  %255 = extractvalue { i32, i32 } %253, 1
  %256 = call i32 @llvm.arm.smlad(i32 %240, i32 %254, i32 %231)
  %257 = call i32 @llvm.arm.smlad(i32 %242, i32 %255, i32 %256)
  %258 = call { i32, i32 } asm "ldrd $0, $1, [$2, #280]", "=r,=r,r,~{memory}"(i8* %40)
  %259 = extractvalue { i32, i32 } %258, 0
  %260 = extractvalue { i32, i32 } %258, 1
  %261 = call i32 @llvm.arm.smlad(i32 %240, i32 %259, i32 %236)
  %262 = call i32 @llvm.arm.smlad(i32 %242, i32 %260, i32 %261)
  %263 = getelementptr inbounds i8, i8* %6, i32 0
  %264 = bitcast i8* %263 to i32*
  store i32 %247, i32* %264, align 4
  %265 = getelementptr inbounds i8, i8* %6, i32 4
  %266 = bitcast i8* %265 to i32*
  store i32 %252, i32* %266, align 4
  %267 = getelementptr inbounds i8, i8* %6, i32 8
  %268 = bitcast i8* %267 to i32*
  store i32 %257, i32* %268, align 4
  %269 = getelementptr inbounds i8, i8* %6, i32 12
  %270 = bitcast i8* %269 to i32*
  store i32 %262, i32* %270, align 4
  %271 = getelementptr inbounds i8, i8* %3, i32 %4
  %272 = getelementptr inbounds i8, i8* %6, i32 0
  %273 = bitcast i8* %272 to i32*
  %274 = load i32, i32* %273, align 4
  %275 = getelementptr inbounds i8, i8* %6, i32 4
  %276 = bitcast i8* %275 to i32*
  %277 = load i32, i32* %276, align 4
  %278 = call i32 @llvm.smax.i32(i32 %274, i32 %277)
  %279 = getelementptr inbounds i8, i8* %6, i32 8
  %280 = bitcast i8* %279 to i32*
  %281 = load i32, i32* %280, align 4
  %282 = call i32 @llvm.smax.i32(i32 %278, i32 %281)
  %283 = getelementptr inbounds i8, i8* %6, i32 12
  %284 = bitcast i8* %283 to i32*
  %285 = load i32, i32* %284, align 4
  %286 = call i32 @llvm.smax.i32(i32 %282, i32 %285)
  %287 = shl i32 %286, 1
  %288 = sext i32 %9 to i64
  %289 = sext i32 %287 to i64
  %290 = mul i64 %289, %288
  %291 = add i64 %290, 2147483648
  %292 = ashr i64 %291, 32
  %293 = trunc i64 %292 to i32
  %294 = add i32 %293, %12
  %295 = lshr i32 %293, 31
  %296 = sub i32 %294, %295
  %297 = ashr i32 %296, %15
  %298 = call i32 @llvm.arm.ssat(i32 %297, i32 8)
  %299 = trunc i32 %298 to i8
  %300 = getelementptr inbounds i8, i8* %271, i32 0
  store i8 %299, i8* %300, align 1
  ret void
}

; Function Attrs: nounwind readnone
declare i32 @llvm.arm.sxtb16(i32) #1

; Function Attrs: nofree nosync nounwind readnone speculatable willreturn
declare i32 @llvm.fshr.i32(i32, i32, i32) #2

; Function Attrs: nounwind readnone
declare i32 @llvm.arm.smlad(i32, i32, i32) #1

; Function Attrs: nofree nosync nounwind readnone speculatable willreturn
declare i32 @llvm.smax.i32(i32, i32) #2

; Function Attrs: nounwind readnone
declare i32 @llvm.arm.ssat(i32, i32) #1

; Function Attrs: nounwind readnone
declare i32 @llvm.arm.uxtab16(i32, i32) #1

; Function Attrs: nofree nosync nounwind readnone speculatable willreturn
declare i32 @llvm.smin.i32(i32, i32) #2

; Function Attrs: noinline nounwind
define internal void @qf_tiny_L1(i8* readonly %0, i8* %1, i8* %2) #0 {
entry:
  ret void
}

; Function Attrs: noinline nounwind
define internal void @qf_tiny_L2(i8* readonly %0, i8* %1, i8* %2) #0 {
entry:
  %3 = getelementptr inbounds i8, i8* %1, i32 76
  br label %pix

pix:                                              ; preds = %230, %entry
  %pix1 = phi i32 [ 0, %entry ], [ %231, %230 ]
  %4 = mul i32 %pix1, 1
  %5 = call i32 @llvm.smin.i32(i32 %4, i32 0)
  %6 = getelementptr inbounds i8, i8* %1, i32 0
  br label %colp

7:                                                ; preds = %230
  ret void

colp:                                             ; preds = %19, %pix
  %colp2 = phi i32 [ 0, %pix ], [ %20, %19 ]
  %8 = add i32 %5, %colp2
  %9 = udiv i32 %8, 1
  %10 = mul i32 %9, 1
  %11 = sub i32 %8, %10
  %12 = mul i32 %9, 1
  %13 = sub i32 %12, 0
  %14 = mul i32 %11, 1
  %15 = sub i32 %14, 0
  br label %ky

16:                                               ; preds = %19
  br label %chan

ky:                                               ; preds = %217, %colp
  %ky3 = phi i32 [ 0, %colp ], [ %218, %217 ]
  %17 = add i32 %13, %ky3
  %18 = icmp ult i32 %17, 1
  br label %kx

19:                                               ; preds = %217
  %20 = add nsw i32 %colp2, 1
  %21 = icmp slt i32 %20, 1
  br i1 %21, label %colp, label %16

kx:                                               ; preds = %kx, %ky
  %kx4 = phi i32 [ 0, %ky ], [ %215, %kx ]
  %22 = add i32 %15, %kx4
  %23 = icmp ult i32 %22, 1
  %24 = and i1 %18, %23
  %25 = mul i32 %17, 1
  %26 = add i32 %25, %22
  %27 = mul i32 %26, 72
  %28 = getelementptr inbounds i8, i8* %6, i32 %27
  %29 = mul i32 %ky3, 1
  %30 = add i32 %29, %kx4
  %31 = mul i32 %colp2, 8
  %32 = mul i32 %30, 144
  %33 = add i32 %32, %31
  %34 = getelementptr inbounds i8, i8* %3, i32 %33
  %35 = getelementptr inbounds i8, i8* %28, i32 0
  %36 = bitcast i8* %35 to i32*
  %37 = load i32, i32* %36, align 4
  %38 = call i32 @llvm.fshr.i32(i32 %37, i32 %37, i32 8)
  %39 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %37)
  %40 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %38)
  %41 = getelementptr inbounds i8, i8* %34, i32 0
  %42 = bitcast i8* %41 to i32*
  store i32 %39, i32* %42, align 4
  %43 = getelementptr inbounds i8, i8* %34, i32 4
  %44 = bitcast i8* %43 to i32*
  store i32 %40, i32* %44, align 4
  %45 = getelementptr inbounds i8, i8* %28, i32 4
  %46 = bitcast i8* %45 to i32*
  %47 = load i32, i32* %46, align 4
  %48 = call i32 @llvm.fshr.i32(i32 %47, i32 %47, i32 8)
  %49 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %47)
  %50 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %48)
  %51 = getelementptr inbounds i8, i8* %34, i32 8
  %52 = bitcast i8* %51 to i32*
  store i32 %49, i32* %52, align 4
  %53 = getelementptr inbounds i8, i8* %34, i32 12
  %54 = bitcast i8* %53 to i32*
  store i32 %50, i32* %54, align 4
  %55 = getelementptr inbounds i8, i8* %28, i32 8
  %56 = bitcast i8* %55 to i32*
  %57 = load i32, i32* %56, align 4
  %58 = call i32 @llvm.fshr.i32(i32 %57, i32 %57, i32 8)
  %59 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %57)
  %60 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %58)
  %61 = getelementptr inbounds i8, i8* %34, i32 16
  %62 = bitcast i8* %61 to i32*
  store i32 %59, i32* %62, align 4
  %63 = getelementptr inbounds i8, i8* %34, i32 20
  %64 = bitcast i8* %63 to i32*
  store i32 %60, i32* %64, align 4
  %65 = getelementptr inbounds i8, i8* %28, i32 12
  %66 = bitcast i8* %65 to i32*
  %67 = load i32, i32* %66, align 4
  %68 = call i32 @llvm.fshr.i32(i32 %67, i32 %67, i32 8)
  %69 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %67)
  %70 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %68)
  %71 = getelementptr inbounds i8, i8* %34, i32 24
  %72 = bitcast i8* %71 to i32*
  store i32 %69, i32* %72, align 4
  %73 = getelementptr inbounds i8, i8* %34, i32 28
  %74 = bitcast i8* %73 to i32*
  store i32 %70, i32* %74, align 4
  %75 = getelementptr inbounds i8, i8* %28, i32 16
  %76 = bitcast i8* %75 to i32*
  %77 = load i32, i32* %76, align 4
  %78 = call i32 @llvm.fshr.i32(i32 %77, i32 %77, i32 8)
  %79 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %77)
  %80 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %78)
  %81 = getelementptr inbounds i8, i8* %34, i32 32
  %82 = bitcast i8* %81 to i32*
  store i32 %79, i32* %82, align 4
  %83 = getelementptr inbounds i8, i8* %34, i32 36
  %84 = bitcast i8* %83 to i32*
  store i32 %80, i32* %84, align 4
  %85 = getelementptr inbounds i8, i8* %28, i32 20
  %86 = bitcast i8* %85 to i32*
  %87 = load i32, i32* %86, align 4
  %88 = call i32 @llvm.fshr.i32(i32 %87, i32 %87, i32 8)
  %89 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %87)
  %90 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %88)
  %91 = getelementptr inbounds i8, i8* %34, i32 40
  %92 = bitcast i8* %91 to i32*
  store i32 %89, i32* %92, align 4
  %93 = getelementptr inbounds i8, i8* %34, i32 44
  %94 = bitcast i8* %93 to i32*
  store i32 %90, i32* %94, align 4
  %95 = getelementptr inbounds i8, i8* %28, i32 24
  %96 = bitcast i8* %95 to i32*
  %97 = load i32, i32* %96, align 4
  %98 = call i32 @llvm.fshr.i32(i32 %97, i32 %97, i32 8)
  %99 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %97)
  %100 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %98)
  %101 = getelementptr inbounds i8, i8* %34, i32 48
  %102 = bitcast i8* %101 to i32*
  store i32 %99, i32* %102, align 4
  %103 = getelementptr inbounds i8, i8* %34, i32 52
  %104 = bitcast i8* %103 to i32*
  store i32 %100, i32* %104, align 4
  %105 = getelementptr inbounds i8, i8* %28, i32 28
  %106 = bitcast i8* %105 to i32*
  %107 = load i32, i32* %106, align 4
  %108 = call i32 @llvm.fshr.i32(i32 %107, i32 %107, i32 8)
  %109 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %107)
  %110 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %108)
  %111 = getelementptr inbounds i8, i8* %34, i32 56
  %112 = bitcast i8* %111 to i32*
  store i32 %109, i32* %112, align 4
  %113 = getelementptr inbounds i8, i8* %34, i32 60
  %114 = bitcast i8* %113 to i32*
  store i32 %110, i32* %114, align 4
  %115 = getelementptr inbounds i8, i8* %28, i32 32
  %116 = bitcast i8* %115 to i32*
  %117 = load i32, i32* %116, align 4
  %118 = call i32 @llvm.fshr.i32(i32 %117, i32 %117, i32 8)
  %119 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %117)
  %120 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %118)
  %121 = getelementptr inbounds i8, i8* %34, i32 64
  %122 = bitcast i8* %121 to i32*
  store i32 %119, i32* %122, align 4
  %123 = getelementptr inbounds i8, i8* %34, i32 68
  %124 = bitcast i8* %123 to i32*
  store i32 %120, i32* %124, align 4
  %125 = getelementptr inbounds i8, i8* %28, i32 36
  %126 = bitcast i8* %125 to i32*
  %127 = load i32, i32* %126, align 4
  %128 = call i32 @llvm.fshr.i32(i32 %127, i32 %127, i32 8)
  %129 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %127)
  %130 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %128)
  %131 = getelementptr inbounds i8, i8* %34, i32 72
  %132 = bitcast i8* %131 to i32*
  store i32 %129, i32* %132, align 4
  %133 = getelementptr inbounds i8, i8* %34, i32 76
  %134 = bitcast i8* %133 to i32*
  store i32 %130, i32* %134, align 4
  %135 = getelementptr inbounds i8, i8* %28, i32 40
  %136 = bitcast i8* %135 to i32*
  %137 = load i32, i32* %136, align 4
  %138 = call i32 @llvm.fshr.i32(i32 %137, i32 %137, i32 8)
  %139 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %137)
  %140 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %138)
  %141 = getelementptr inbounds i8, i8* %34, i32 80
  %142 = bitcast i8* %141 to i32*
  store i32 %139, i32* %142, align 4
  %143 = getelementptr inbounds i8, i8* %34, i32 84
  %144 = bitcast i8* %143 to i32*
  store i32 %140, i32* %144, align 4
  %145 = getelementptr inbounds i8, i8* %28, i32 44
  %146 = bitcast i8* %145 to i32*
  %147 = load i32, i32* %146, align 4
  %148 = call i32 @llvm.fshr.i32(i32 %147, i32 %147, i32 8)
  %149 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %147)
  %150 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %148)
  %151 = getelementptr inbounds i8, i8* %34, i32 88
  %152 = bitcast i8* %151 to i32*
  store i32 %149, i32* %152, align 4
  %153 = getelementptr inbounds i8, i8* %34, i32 92
  %154 = bitcast i8* %153 to i32*
  store i32 %150, i32* %154, align 4
  %155 = getelementptr inbounds i8, i8* %28, i32 48
  %156 = bitcast i8* %155 to i32*
  %157 = load i32, i32* %156, align 4
  %158 = call i32 @llvm.fshr.i32(i32 %157, i32 %157, i32 8)
  %159 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %157)
  %160 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %158)
  %161 = getelementptr inbounds i8, i8* %34, i32 96
  %162 = bitcast i8* %161 to i32*
  store i32 %159, i32* %162, align 4
  %163 = getelementptr inbounds i8, i8* %34, i32 100
  %164 = bitcast i8* %163 to i32*
  store i32 %160, i32* %164, align 4
  %165 = getelementptr inbounds i8, i8* %28, i32 52
  %166 = bitcast i8* %165 to i32*
  %167 = load i32, i32* %166, align 4
  %168 = call i32 @llvm.fshr.i32(i32 %167, i32 %167, i32 8)
  %169 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %167)
  %170 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %168)
  %171 = getelementptr inbounds i8, i8* %34, i32 104
  %172 = bitcast i8* %171 to i32*
  store i32 %169, i32* %172, align 4
  %173 = getelementptr inbounds i8, i8* %34, i32 108
  %174 = bitcast i8* %173 to i32*
  store i32 %170, i32* %174, align 4
  %175 = getelementptr inbounds i8, i8* %28, i32 56
  %176 = bitcast i8* %175 to i32*
  %177 = load i32, i32* %176, align 4
  %178 = call i32 @llvm.fshr.i32(i32 %177, i32 %177, i32 8)
  %179 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %177)
  %180 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %178)
  %181 = getelementptr inbounds i8, i8* %34, i32 112
  %182 = bitcast i8* %181 to i32*
  store i32 %179, i32* %182, align 4
  %183 = getelementptr inbounds i8, i8* %34, i32 116
  %184 = bitcast i8* %183 to i32*
  store i32 %180, i32* %184, align 4
  %185 = getelementptr inbounds i8, i8* %28, i32 60
  %186 = bitcast i8* %185 to i32*
  %187 = load i32, i32* %186, align 4
  %188 = call i32 @llvm.fshr.i32(i32 %187, i32 %187, i32 8)
  %189 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %187)
  %190 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %188)
  %191 = getelementptr inbounds i8, i8* %34, i32 120
  %192 = bitcast i8* %191 to i32*
  store i32 %189, i32* %192, align 4
  %193 = getelementptr inbounds i8, i8* %34, i32 124
  %194 = bitcast i8* %193 to i32*
  store i32 %190, i32* %194, align 4
  %195 = getelementptr inbounds i8, i8* %28, i32 64
  %196 = bitcast i8* %195 to i32*
  %197 = load i32, i32* %196, align 4
  %198 = call i32 @llvm.fshr.i32(i32 %197, i32 %197, i32 8)
  %199 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %197)
  %200 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %198)
  %201 = getelementptr inbounds i8, i8* %34, i32 128
  %202 = bitcast i8* %201 to i32*
  store i32 %199, i32* %202, align 4
  %203 = getelementptr inbounds i8, i8* %34, i32 132
  %204 = bitcast i8* %203 to i32*
  store i32 %200, i32* %204, align 4
  %205 = getelementptr inbounds i8, i8* %28, i32 68
  %206 = bitcast i8* %205 to i32*
  %207 = load i32, i32* %206, align 4
  %208 = call i32 @llvm.fshr.i32(i32 %207, i32 %207, i32 8)
  %209 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %207)
  %210 = call i32 @llvm.arm.sxtab16(i32 8388736, i32 %208)
  %211 = getelementptr inbounds i8, i8* %34, i32 136
  %212 = bitcast i8* %211 to i32*
  store i32 %209, i32* %212, align 4
  %213 = getelementptr inbounds i8, i8* %34, i32 140
  %214 = bitcast i8* %213 to i32*
  store i32 %210, i32* %214, align 4
  %215 = add nsw i32 %kx4, 1
  %216 = icmp slt i32 %215, 1
  br i1 %216, label %kx, label %217

217:                                              ; preds = %kx
  %218 = add nsw i32 %ky3, 1
  %219 = icmp slt i32 %218, 1
  br i1 %219, label %ky, label %19

chan:                                             ; preds = %chan, %16
  %chan5 = phi i32 [ 0, %16 ], [ %228, %chan ]
  %220 = mul i32 %chan5, 1
  %221 = call i32 @llvm.smin.i32(i32 %220, i32 2)
  %222 = mul i32 %chan5, 36
  %223 = getelementptr inbounds i8, i8* getelementptr inbounds ([108 x i8], [108 x i8]* @qf_tiny_L2_w, i32 0, i32 0), i32 %222
  %224 = shl i32 %221, 4
  %225 = getelementptr inbounds i8, i8* getelementptr inbounds ([48 x i8], [48 x i8]* @qf_tiny_L2_rq, i32 0, i32 0), i32 %224
  %226 = mul i32 %5, 3
  %227 = add i32 %226, %221
  call void @qf_tiny_L2_tile(i8* %223, i8* %3, i8* %225, i8* %2, i32 %227)
  %228 = add nsw i32 %chan5, 1
  %229 = icmp slt i32 %228, 3
  br i1 %229, label %chan, label %230

230:                                              ; preds = %chan
  %231 = add nsw i32 %pix1, 1
  %232 = icmp slt i32 %231, 1
  br i1 %232, label %pix, label %7
}

; Function Attrs: noinline nounwind
define internal void @qf_tiny_L2_tile(i8* %0, i8* %1, i8* %2, i8* %3, i32 %4) #0 {
entry:
  %5 = alloca [1 x i32], align 4
  %6 = bitcast [1 x i32]* %5 to i8*
  %7 = getelementptr inbounds i8, i8* %2, i32 0
  %8 = bitcast i8* %7 to i32*
  %9 = load i32, i32* %8, align 4
  %10 = getelementptr inbounds i8, i8* %7, i32 4
  %11 = bitcast i8* %10 to i32*
  %12 = load i32, i32* %11, align 4
  %13 = getelementptr inbounds i8, i8* %7, i32 8
  %14 = bitcast i8* %13 to i32*
  %15 = load i32, i32* %14, align 4
  %16 = getelementptr inbounds i8, i8* %7, i32 12
  %17 = bitcast i8* %16 to i32*
  %18 = load i32, i32* %17, align 4
  %19 = getelementptr inbounds i8, i8* %6, i32 0
  %20 = bitcast i8* %19 to i32*
  store i32 %18, i32* %20, align 4
  %21 = getelementptr inbounds i8, i8* %6, i32 0
  %22 = bitcast i8* %21 to i32*
  %23 = load i32, i32* %22, align 4
  %24 = getelementptr inbounds i8, i8* %0, i32 0
  %25 = getelementptr inbounds i8, i8* %1, i32 0
  %26 = call { i32, i32 } asm "ldrd $0, $1, [$2, #0]", "=r,=r,r,~{memory}"(i8* %24)
  %27 = extractvalue { i32, i32 } %26, 0
  %28 = extractvalue { i32, i32 } %26, 1
  %29 = shl i32 %27, 4
  %30 = and i32 %29, -252645136
  %31 = call i32 @llvm.arm.sxtb16(i32 %30)
  %32 = call i32 @llvm.fshr.i32(i32 %30, i32 %30, i32 8)
  %33 = call i32 @llvm.arm.sxtb16(i32 %32)
  %34 = call { i32, i32 } asm "ldrd $0, $1, [$2, #0]", "=r,=r,r,~{memory}"(i8* %25)
  %35 = extractvalue { i32, i32 } %34, 0
  %36 = extractvalue { i32, i32 } %34, 1
  %37 = call i32 @llvm.arm.smlad(i32 %31, i32 %35, i32 %23)
  %38 = call i32 @llvm.arm.smlad(i32 %33, i32 %36, i32 %37)
  %39 = and i32 %27, -252645136
  %40 = call i32 @llvm.arm.sxtb16(i32 %39)
  %41 = call i32 @llvm.fshr.i32(i32 %39, i32 %39, i32 8)
  %42 = call i32 @llvm.arm.sxtb16(i32 %41)
  %43 = call { i32, i32 } asm "ldrd $0, $1, [$2, #8]", "=r,=r,r,~{memory}"(i8* %25)
  %44 = extractvalue { i32, i32 } %43, 0
  %45 = extractvalue { i32, i32 } %43, 1
  %46 = call i32 @llvm.arm.smlad(i32 %40, i32 %44, i32 %38)
  %47 = call i32 @llvm.arm.smlad(i32 %42, i32 %45, i32 %46)
  %48 = shl i32 %28, 4
  %49 = and i32 %48, -252645136
  %50 = call i32 @llvm.arm.sxtb16(i32 %49)
  %51 = call i32 @llvm.fshr.i32(i32 %49, i32 %49, i32 8)
  %52 = call i32 @llvm.arm.sxtb16(i32 %51)
  %53 = call { i32, i32 } asm "ldrd $0, $1, [$2, #16]", "=r,=r,r,~{memory}"(i8* %25)
  %54 = extractvalue { i32, i32 } %53, 0
  %55 = extractvalue { i32, i32 } %53, 1
  %56 = call i32 @llvm.arm.smlad(i32 %50, i32 %54, i32 %47)
  %57 = call i32 @llvm.arm.smlad(i32 %52, i32 %55, i32 %56)
  %58 = and i32 %28, -252645136
  %59 = call i32 @llvm.arm.sxtb16(i32 %58)
  %60 = call i32 @llvm.fshr.i32(i32 %58, i32 %58, i32 8)
  %61 = call i32 @llvm.arm.sxtb16(i32 %60)
  %62 = call { i32, i32 } asm "ldrd $0, $1, [$2, #24]", "=r,=r,r,~{memory}"(i8* %25)
  %63 = extractvalue { i32, i32 } %62, 0
  %64 = extractvalue { i32, i32 } %62, 1
  %65 = call i32 @llvm.arm.smlad(i32 %59, i32 %63, i32 %57)
  %66 = call i32 @llvm.arm.smlad(i32 %61, i32 %64, i32 %65)
  %67 = call { i32, i32 } asm "ldrd $0, $1, [$2, #8]", "=r,=r,r,~{memory}"(i8* %24)
  %68 = extractvalue { i32, i32 } %67, 0
  %69 = extractvalue { i32, i32 } %67, 1
  %70 = shl i32 %68, 4
  %71 = and i32 %70, -252645136
  %72 = call i32 @llvm.arm.sxtb16(i32 %71)
  %73 = call i32 @llvm.fshr.i32(i32 %71, i32 %71, i32 8)
  %74 = call i32 @llvm.arm.sxtb16(i32 %73)
  %75 = call { i32, i32 } asm "ldrd $0, $1, [$2, #32]", "=r,=r,r,~{memory}"(i8* %25)
  %76 = extractvalue { i32, i32 } %75, 0
  %77 = extractvalue { i32, i32 } %75, 1
  %78 = call i32 @llvm.arm.smlad(i32 %72, i32 %76, i32 %66)
  %79 = call i32 @llvm.arm.smlad(i32 %74, i32 %77, i32 %78)
  %80 = and i32 %68, -252645136
  %81 = call i32 @llvm.arm.sxtb16(i32 %80)
  %82 = call i32 @llvm.fshr.i32(i32 %80, i32 %80, i32 8)
  %83 = call i32 @llvm.arm.sxtb16(i32 %82)
  %84 = call { i32, i32 } asm "ldrd $0, $1, [$2, #40]", "=r,=r,r,~{memory}"(i8* %25)
  %85 = extractvalue { i32, i32 } %84, 0
  %86 = extractvalue { i32, i32 } %84, 1
  %87 = call i32 @llvm.arm.smlad(i32 %81, i32 %85, i32 %79)
  %88 = call i32 @llvm.arm.smlad(i32 %83, i32 %86, i32 %87)
  %89 = shl i32 %69, 4
  %90 = and i32 %89, -252645136
  %91 = call i32 @llvm.arm.sxtb16(i32 %90)
  %92 = call i32 @llvm.fshr.i32(i32 %90, i32 %90, i32 8)
  %93 = call i32 @llvm.arm.sxtb16(i32 %92)
  %94 = call { i32, i32 } asm "ldrd $0, $1, [$2, #48]", "=r,=r,r,~{memory}"(i8* %25)
  %95 = extractvalue { i32, i32 } %94, 0
  %96 = extractvalue { i32, i32 } %94, 1
  %97 = call i32 @llvm.arm.smlad(i32 %91, i32 %95, i32 %88)
  %98 = call i32 @llvm.arm.smlad(i32 %93, i32 %96, i32 %97)
  %99 = and i32 %69, -252645136
  %100 = call i32 @llvm.arm.sxtb16(i32 %99)
  %101 = call i32 @llvm.fshr.i32(i32 %99, i32 %99, i32 8)
  %102 = call i32 @llvm.arm.sxtb16(i32 %101)
  %103 = call { i32, i32 } asm "ldrd $0, $1, [$2, #56]", "=r,=r,r,~{memory}"(i8* %25)
  %104 = extractvalue { i32, i32 } %103, 0
  %105 = extractvalue { i32, i32 } %103, 1
  %106 = call i32 @llvm.arm.smlad(i32 %100, i32 %104, i32 %98)
  %107 = call i32 @llvm.arm.smlad(i32 %102, i32 %105, i32 %106)
  %108 = call { i32, i32 } asm "ldrd $0, $1, [$2, #16]", "=r,=r,r,~{memory}"(i8* %24)
  %109 = extractvalue { i32, i32 } %108, 0
  %110 = extractvalue { i32, i32 } %108, 1
  %111 = shl i32 %109, 4
  %112 = and i32 %111, -252645136
  %113 = call i32 @llvm.arm.sxtb16(i32 %112)
  %114 = call i32 @llvm.fshr.i32(i32 %112, i32 %112, i32 8)
  %115 = call i32 @llvm.arm.sxtb16(i32 %114)
  %116 = call { i32, i32 } asm "ldrd $0, $1, [$2, #64]", "=r,=r,r,~{memory}"(i8* %25)
  %117 = extractvalue { i32, i32 } %116, 0
  %118 = extractvalue { i32, i32 } %116, 1
  %119 = call i32 @llvm.arm.smlad(i32 %113, i32 %117, i32 %107)
  %120 = call i32 @llvm.arm.smlad(i32 %115, i32 %118, i32 %119)
  %121 = and i32 %109, -252645136
  %122 = call i32 @llvm.arm.sxtb16(i32 %121)
  %123 = call i32 @llvm.fshr.i32(i32 %121, i32 %121, i32 8)
  %124 = call i32 @llvm.arm.sxtb16(i32 %123)
  %125 = call { i32, i32 } asm "ldrd $0, $1, [$2, #72]", "=r,=r,r,~{memory}"(i8* %25)
  %126 = extractvalue { i32, i32 } %125, 0
  %127 = extractvalue { i32, i32 } %125, 1
  %128 = call i32 @llvm.arm.smlad(i32 %122, i32 %126, i32 %120)
  %129 = call i32 @llvm.arm.smlad(i32 %124, i32 %127, i32 %128)
  %130 = shl i32 %110, 4
  %131 = and i32 %130, -252645136
  %132 = call i32 @llvm.arm.sxtb16(i32 %131)
  %133 = call i32 @llvm.fshr.i32(i32 %131, i32 %131, i32 8)
  %134 = call i32 @llvm.arm.sxtb16(i32 %133)
  %135 = call { i32, i32 } asm "ldrd $0, $1, [$2, #80]", "=r,=r,r,~{memory}"(i8* %25)
  %136 = extractvalue { i32, i32 } %135, 0
  %137 = extractvalue { i32, i32 } %135, 1
  %138 = call i32 @llvm.arm.smlad(i32 %132, i32 %136, i32 %129)
  %139 = call i32 @llvm.arm.smlad(i32 %134, i32 %137, i32 %138)
  %140 = and i32 %110, -252645136
  %141 = call i32 @llvm.arm.sxtb16(i32 %140)
  %142 = call i32 @llvm.fshr.i32(i32 %140, i32 %140, i32 8)
  %143 = call i32 @llvm.arm.sxtb16(i32 %142)
  %144 = call { i32, i32 } asm "ldrd $0, $1, [$2, #88]", "=r,=r,r,~{memory}"(i8* %25)
  %145 = extractvalue { i32, i32 } %144, 0
  %146 = extractvalue { i32, i32 } %144, 1
  %147 = call i32 @llvm.arm.smlad(i32 %141, i32 %145, i32 %139)
  %148 = call i32 @llvm.arm.smlad(i32 %143, i32 %146, i32 %147)
  %149 = call { i32, i32 } asm "ldrd $0, $1, [$2, #24]", "=r,=r,r,~{memory}"(i8* %24)
  %150 = extractvalue { i32, i32 } %149, 0
  %151 = extractvalue { i32, i32 } %149, 1
  %152 = shl i32 %150, 4
  %153 = and i32 %152, -252645136
  %154 = call i32 @llvm.arm.sxtb16(i32 %153)
  %155 = call i32 @llvm.fshr.i32(i32 %153, i32 %153, i32 8)
  %156 = call i32 @llvm.arm.sxtb16(i32 %155)
  %157 = call { i32, i32 } asm "ldrd $0, $1, [$2, #96]", "=r,=r,r,~{memory}"(i8* %25)
  %158 = extractvalue { i32, i32 } %157, 0
  %159 = extractvalue { i32, i32 } %157, 1
  %160 = call i32 @llvm.arm.smlad(i32 %154, i32 %158, i32 %148)
  %161 = call i32 @llvm.arm.smlad(i32 %156, i32 %159, i32 %160)
  %162 = and i32 %150, -252645136
  %163 = call i32 @llvm.arm.sxtb16(i32 %162)
  %164 = call i32 @llvm.fshr.i32(i32 %162, i32 %162, i32 8)
  %165 = call i32 @llvm.arm.sxtb16(i32 %164)
  %166 = call { i32, i32 } asm "ldrd $0, $1, [$2, #104]", "=r,=r,r,~{memory}"(i8* %25)
  %167 = extractvalue { i32, i32 } %166, 0
  %168 = extractvalue { i32, i32 } %166, 1
  %169 = call i32 @llvm.arm.smlad(i32 %163, i32 %167, i32 %161)
  %170 = call i32 @llvm.arm.smlad(i32 %165, i32 %168, i32 %169)
  %171 = shl i32 %151, 4
  %172 = and i32 %171, -252645136
  %173 = call i32 @llvm.arm.sxtb16(i32 %172)
  %174 = call i32 @llvm.fshr.i32(i32 %172, i32 %172, i32 8)
  %175 = call i32 @llvm.arm.sxtb16(i32 %174)
  %176 = call { i32, i32 } asm "ldrd $0, $1, [$2, #112]", "=r,=r,r,~{memory}"(i8* %25)
  %177 = extractvalue { i32, i32 } %176, 0
  %178 = extractvalue { i32, i32 } %176, 1
  %179 = call i32 @llvm.arm.smlad(i32 %173, i32 %177, i32 %170)
  %180 = call i32 @llvm.arm.smlad(i32 %175, i32 %178, i32 %179)
  %181 = and i32 %151, -252645136
  %182 = call i32 @llvm.arm.sxtb16(i32 %181)
  %183 = call i32 @llvm.fshr.i32(i32 %181, i32 %181, i32 8)
  %184 = call i32 @llvm.arm.sxtb16(i32 %183)
  %185 = call { i32, i32 } asm "ldrd $0, $1, [$2, #120]", "=r,=r,r,~{memory}"(i8* %25)
  %186 = extractvalue { i32, i32 } %185, 0
  %187 = extractvalue { i32, i32 } %185, 1
  %188 = call i32 @llvm.arm.smlad(i32 %182, i32 %186, i32 %180)
  %189 = call i32 @llvm.arm.smlad(i32 %184, i32 %187, i32 %188)
  %190 = getelementptr inbounds i8, i8* %24, i32 32
  %191 = bitcast i8* %190 to i32*
  %192 = load i32, i32* %191, align 4
  %193 = shl i32 %192, 4
  %194 = and i32 %193, -252645136
  %195 = call i32 @llvm.arm.sxtb16(i32 %194)
  %196 = call i32 @llvm.fshr.i32(i32 %194, i32 %194, i32 8)
  %197 = call i32 @llvm.arm.sxtb16(i32 %196)
  %198 = call { i32, i32 } asm "ldrd $0, $1, [$2, #128]", "=r,=r,r,~{memory}"(i8* %25)
  %199 = extractvalue { i32, i32 } %198, 0
  %200 = extractvalue { i32, i32 } %198, 1
  %201 = call i32 @llvm.arm.smlad(i32 %195, i32 %199, i32 %189)
  %202 = call i32 @llvm.arm.smlad(i32 %197, i32 %200, i32 %201)
  %203 = and i32 %192, -252645136
  %204 = call i32 @llvm.arm.sxtb16(i32 %203)
  %205 = call i32 @llvm.fshr.i32(i32 %203, i32 %203, i32 8)
  %206 = call i32 @llvm.arm.sxtb16(i32 %205)
  %207 = call { i32, i32 } asm "ldrd $0, $1, [$2, #136]", "=r,=r,r,~{memory}"(i8* %25)
  %208 = extractvalue { i32, i32 } %207, 0
  %209 = extractvalue { i32, i32 } %207, 1
  %210 = call i32 @llvm.arm.smlad(i32 %204, i32 %208, i32 %202)
  %211 = call i32 @llvm.arm.smlad(i32 %206, i32 %209, i32 %210)
  %212 = getelementptr inbounds i8, i8* %6, i32 0
  %213 = bitcast i8* %212 to i32*
  store i32 %211, i32* %213, align 4
  %214 = getelementptr inbounds i8, i8* %3, i32 %4
  %215 = getelementptr inbounds i8, i8* %6, i32 0
  %216 = bitcast i8* %215 to i32*
  %217 = load i32, i32* %216, align 4
  %218 = ashr i32 %217, 3
  %219 = sext i32 %9 to i64
  %220 = sext i32 %218 to i64
  %221 = mul i64 %220, %219
  %222 = add i64 %221, 2147483648
  %223 = ashr i64 %222, 32
  %224 = trunc i64 %223 to i32
  %225 = add i32 %224, %12
  %226 = lshr i32 %224, 31
  %227 = sub i32 %225, %226
  %228 = ashr i32 %227, %15
  %229 = call i32 @llvm.arm.ssat(i32 %228, i32 8)
  %230 = trunc i32 %229 to i8
  %231 = getelementptr inbounds i8, i8* %214, i32 0
  store i8 %230, i8* %231, align 1
  ret void
}

; Function Attrs: nounwind readnone
declare i32 @llvm.arm.sxtab16(i32, i32) #1

; Function Attrs: nounwind
define i32 @qf_tiny_run(i8* %0, i8* %1, i8* %2) #3 {
entry:
  %3 = icmp eq i8* %2, null
  %4 = icmp eq i8* %1, null
  %5 = icmp eq i8* %0, null
  %6 = or i1 %5, %4
  %7 = or i1 %6, %3
  br i1 %7, label %null, label %align

null:                                             ; preds = %entry
  ret i32 -1

align:                                            ; preds = %entry
  %8 = ptrtoint i8* %2 to i32
  %9 = and i32 %8, 3
  %10 = icmp ne i32 %9, 0
  br i1 %10, label %misaligned, label %layers

misaligned:                                       ; preds = %align
  ret i32 -4

layers:                                           ; preds = %align
  call void @qf_tiny_L0(i8* %0, i8* %2, i8* %1)
  call void @qf_tiny_L1(i8* %0, i8* %2, i8* %1)
  call void @qf_tiny_L2(i8* %0, i8* %2, i8* %1)
  ret i32 0
}

attributes #0 = { noinline nounwind }
attributes #1 = { nounwind readnone }
attributes #2 = { nofree nosync nounwind readnone speculatable willreturn }
attributes #3 = { nounwind }
