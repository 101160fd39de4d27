; ModuleID = 'tiny'
source_filename = "tiny"
target datalayout = "e-m:e-p:32:32-Fi8-i64:64-v128:64:128-a:0:32-n32-S64"
target triple = "thumbv7em-none-eabi"

@L0.rq = private unnamed_addr constant [128 x i8] c"\00\00\00@\00\01\FF\FF\09\00\00\00\D4\FE\FF\FF\00\00\00A\00\02\FE\FF\0A\00\00\008\FF\FF\FF\00\00\00B\00\04\FC\FF\0B\00\00\00\9C\FF\FF\FF\00\00\00C\00\01\FF\FF\09\00\00\00\00\00\00\00\00\00\00D\00\02\FE\FF\0A\00\00\00d\00\00\00\00\00\00E\00\04\FC\FF\0B\00\00\00\C8\00\00\00\00\00\00F\00\01\FF\FF\09\00\00\00,\01\00\00\00\00\00G\00\02\FE\FF\0A\00\00\00\90\01\00\00", align 4
@L0.w = private unnamed_addr constant [288 x i8] c"\00%Jo4Y~\A3\94\B9\DE\03\C8\ED\127(Mr\97\\\81\A6\CB\BC\E1\06+\F0\15:_Pu\9A\BF\84\A9\CE\F3\E4\09.S\18=b\87x\9D\C2\E7\AC\D1\F6\1B\0C1V{@e\8A\AF\A0\C5\EA\0F\D4\F9\1ECh\8D\B2\D7\9C\C1\E6\0B\FC!Fk0Uz\9F\90\B5\DA\FF\C4\E9\0E3$In\93X}\A2\C7\B8\DD\02'\EC\116[Lq\96\BB\80\A5\CA\EF\E0\05*O\149^\83t\99\BE\E3\A8\CD\F2\17\08-Rw<a\86\AB\D0\F5\1A?\04)Nsd\89\AE\D3\98\BD\E2\07\F8\1DBg,Qv\9B\8C\B1\D6\FB\C0\E5\0A/ Ej\8FTy\9E\C3\B4\D9\FE#\E8\0D2WHm\92\B7|\A1\C6\EB\DC\01&K\105Z\7Fp\95\BA\DF\A4\C9\EE\138]\82\A7l\91\B6\DB\CC\F1\16;\00%Jo`\85\AA\CF\94\B9\DE\03\F4\19>c(Mr\97\88\AD\D2\F7\BC\E1\06+\1CAf\8BPu\9A\BF\B0\D5\FA\1F\E4\09.SDi\8E\B3x\9D\C2\E7\D8\FD\22G\0C1V{", align 4
@L0.pad = private unnamed_addr constant [4 x i8] zeroinitializer, align 4
@L2.rq = private unnamed_addr constant [48 x i8] c"\00\00\00@\00\0B\00\00\09\00\00\00@\ED\FF\FF\00\00\00A\00\16\00\00\0A\00\00\00\80\F3\FF\FF\00\00\00B\00,\00\00\0B\00\00\00\C0\F9\FF\FF", align 4
@L2.w = private unnamed_addr constant [144 x i8] c"\06a[\83J\94\9F\B6J\FA\9F\1C\8E-\D3@\8E\83\D3\A6\C2\B7\17\E9\C2\1D\17O\06P[r\06\B6[\D8J\E9\9F\0BJO\9Fa\8Er\D3\95\8E\D8\D3\FB\C2\0C\17>\C2b\17\94\06\A5[\C7\06\0B[-J>\9FPJ\94\9F\B6\8E\C7\D3\EA\8E-\D3@\C2Q\17\83\C2\B7\17\E9\06\FA[\1C\06P[rJ\83\9F\A5J\E9\9F\0B\8E\1C\D3?\8Er\D3\95\C2\A6\17\D8\C2\0C\17>\06O[a\06\A5[\C7J\D8\9F\FAJ>\9FP\8Ea\D3\84", align 4

; Function Attrs: noinline nounwind
define internal void @qf_tiny_L0(i8* readonly %0, i8* %1, i8* %2) #0 {
entry:
  %3 = getelementptr inbounds i8, i8* %1, i32 288
  br label %pix

pix:                                              ; preds = %62, %entry
  %pix1 = phi i32 [ 0, %entry ], [ %63, %62 ]
  %4 = mul i32 %pix1, 2
  %5 = call i32 @llvm.smin.i32(i32 %4, i32 34)
  br label %colp

6:                                                ; preds = %62
  ret void

colp:                                             ; preds = %18, %pix
  %colp2 = phi i32 [ 0, %pix ], [ %19, %18 ]
  %7 = add i32 %5, %colp2
  %8 = udiv i32 %7, 6
  %9 = mul i32 %8, 6
  %10 = sub i32 %7, %9
  %11 = mul i32 %8, 1
  %12 = sub i32 %11, 1
  %13 = mul i32 %10, 1
  %14 = sub i32 %13, 1
  br label %ky

15:                                               ; preds = %18
  br label %chan

ky:                                               ; preds = %48, %colp
  %ky3 = phi i32 [ 0, %colp ], [ %49, %48 ]
  %16 = add i32 %12, %ky3
  %17 = icmp ult i32 %16, 6
  br label %kx

18:                                               ; preds = %48
  %19 = add nsw i32 %colp2, 1
  %20 = icmp slt i32 %19, 2
  br i1 %20, label %colp, label %15

kx:                                               ; preds = %kx, %ky
  %kx4 = phi i32 [ 0, %ky ], [ %46, %kx ]
  %21 = add i32 %14, %kx4
  %22 = icmp ult i32 %21, 6
  %23 = and i1 %17, %22
  %24 = mul i32 %16, 6
  %25 = add i32 %24, %21
  %26 = mul i32 %25, 4
  %27 = select i1 %23, i32 %26, i32 0
  %28 = getelementptr inbounds i8, i8* %0, i32 %27
  %29 = select i1 %23, i8* %28, i8* getelementptr inbounds ([4 x i8], [4 x i8]* @L0.pad, i32 0, i32 0)
  %30 = mul i32 %ky3, 3
  %31 = add i32 %30, %kx4
  %32 = mul i32 %colp2, 8
  %33 = mul i32 %31, 16
  %34 = add i32 %33, %32
  %35 = getelementptr inbounds i8, i8* %3, i32 %34
  %36 = getelementptr inbounds i8, i8* %29, i32 0
  %37 = bitcast i8* %36 to i32*
  %38 = load i32, i32* %37, align 1
  %39 = call i32 @llvm.fshr.i32(i32 %38, i32 %38, i32 8)
  %40 = call i32 @llvm.arm.uxtab16(i32 0, i32 %38)
  %41 = call i32 @llvm.arm.uxtab16(i32 0, i32 %39)
  %42 = getelementptr inbounds i8, i8* %35, i32 0
  %43 = bitcast i8* %42 to i32*
  store i32 %40, i32* %43, align 4
  %44 = getelementptr inbounds i8, i8* %35, i32 4
  %45 = bitcast i8* %44 to i32*
  store i32 %41, i32* %45, align 4
  %46 = add nsw i32 %kx4, 1
  %47 = icmp slt i32 %46, 3
  br i1 %47, label %kx, label %48

48:                                               ; preds = %kx
  %49 = add nsw i32 %ky3, 1
  %50 = icmp slt i32 %49, 3
  br i1 %50, label %ky, label %18

chan:                                             ; preds = %chan, %15
  %chan5 = phi i32 [ 0, %15 ], [ %60, %chan ]
  %51 = mul i32 %chan5, 2
  %52 = call i32 @llvm.smin.i32(i32 %51, i32 6)
  %53 = mul i32 %chan5, 72
  %54 = getelementptr inbounds i8, i8* getelementptr inbounds ([288 x i8], [288 x i8]* @L0.w, i32 0, i32 0), i32 %53
  %55 = shl i32 %52, 4
  %56 = getelementptr inbounds i8, i8* getelementptr inbounds ([128 x i8], [128 x i8]* @L0.rq, i32 0, i32 0), i32 %55
  %57 = getelementptr inbounds i8, i8* %1, i32 0
  %58 = mul i32 %5, 8
  %59 = add i32 %58, %52
  call void @qf_tiny_L0_tile(i8* %54, i8* %3, i8* %56, i8* %57, i32 %59)
  %60 = add nsw i32 %chan5, 1
  %61 = icmp slt i32 %60, 4
  br i1 %61, label %chan, label %62

62:                                               ; preds = %chan
  %63 = add nsw i32 %pix1, 1
  %64 = icmp slt i32 %63, 18
  br i1 %64, label %pix, label %6
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
  %21 = getelementptr inbounds i8, i8* %6, i32 8
  %22 = bitcast i8* %21 to i32*
  store i32 %18, i32* %22, align 4
  %23 = getelementptr inbounds i8, i8* %2, i32 16
  %24 = bitcast i8* %23 to i32*
  %25 = load i32, i32* %24, align 4
  %26 = getelementptr inbounds i8, i8* %23, i32 4
  %27 = bitcast i8* %26 to i32*
  %28 = load i32, i32* %27, align 4
  %29 = getelementptr inbounds i8, i8* %23, i32 8
  %30 = bitcast i8* %29 to i32*
  %31 = load i32, i32* %30, align 4
  %32 = getelementptr inbounds i8, i8* %23, i32 12
  %33 = bitcast i8* %32 to i32*
  %34 = load i32, i32* %33, align 4
  %35 = getelementptr inbounds i8, i8* %6, i32 4
  %36 = bitcast i8* %35 to i32*
  store i32 %34, i32* %36, align 4
  %37 = getelementptr inbounds i8, i8* %6, i32 12
  %38 = bitcast i8* %37 to i32*
  store i32 %34, i32* %38, align 4
  %39 = getelementptr inbounds i8, i8* %6, i32 0
  %40 = bitcast i8* %39 to i32*
  %41 = load i32, i32* %40, align 4
  %42 = getelementptr inbounds i8, i8* %6, i32 4
  %43 = bitcast i8* %42 to i32*
  %44 = load i32, i32* %43, align 4
  %45 = getelementptr inbounds i8, i8* %6, i32 8
  %46 = bitcast i8* %45 to i32*
  %47 = load i32, i32* %46, align 4
  %48 = getelementptr inbounds i8, i8* %6, i32 12
  %49 = bitcast i8* %48 to i32*
  %50 = load i32, i32* %49, align 4
  %51 = getelementptr inbounds i8, i8* %0, i32 0
  %52 = getelementptr inbounds i8, i8* %1, i32 0
  %53 = getelementptr inbounds i8, i8* %51, i32 0
  %54 = bitcast i8* %53 to i32*
  %55 = load i32, i32* %54, align 4
  %56 = call i32 @llvm.arm.sxtb16(i32 %55)
  %57 = call i32 @llvm.fshr.i32(i32 %55, i32 %55, i32 8)
  %58 = call i32 @llvm.arm.sxtb16(i32 %57)
  %59 = getelementptr inbounds i8, i8* %52, i32 0
  %60 = bitcast i8* %59 to i32*
  %61 = load i32, i32* %60, align 4
  %62 = getelementptr inbounds i8, i8* %52, i32 4
  %63 = bitcast i8* %62 to i32*
  %64 = load i32, i32* %63, align 4
  %65 = call i32 @llvm.arm.smlad(i32 %56, i32 %61, i32 %41)
  %66 = call i32 @llvm.arm.smlad(i32 %58, i32 %64, i32 %65)
  %67 = getelementptr inbounds i8, i8* %52, i32 8
  %68 = bitcast i8* %67 to i32*
  %69 = load i32, i32* %68, align 4
  %70 = getelementptr inbounds i8, i8* %52, i32 12
  %71 = bitcast i8* %70 to i32*
  %72 = load i32, i32* %71, align 4
  %73 = call i32 @llvm.arm.smlad(i32 %56, i32 %69, i32 %47)
  %74 = call i32 @llvm.arm.smlad(i32 %58, i32 %72, i32 %73)
  %75 = getelementptr inbounds i8, i8* %51, i32 4
  %76 = bitcast i8* %75 to i32*
  %77 = load i32, i32* %76, align 4
  %78 = call i32 @llvm.arm.sxtb16(i32 %77)
  %79 = call i32 @llvm.fshr.i32(i32 %77, i32 %77, i32 8)
  %80 = call i32 @llvm.arm.sxtb16(i32 %79)
  %81 = getelementptr inbounds i8, i8* %52, i32 0
  %82 = bitcast i8* %81 to i32*
  %83 = load i32, i32* %82, align 4
  %84 = getelementptr inbounds i8, i8* %52, i32 4
  %85 = bitcast i8* %84 to i32*
  %86 = load i32, i32* %85, align 4
  %87 = call i32 @llvm.arm.smlad(i32 %78, i32 %83, i32 %44)
  %88 = call i32 @llvm.arm.smlad(i32 %80, i32 %86, i32 %87)
  %89 = getelementptr inbounds i8, i8* %52, i32 8
  %90 = bitcast i8* %89 to i32*
  %91 = load i32, i32* %90, align 4
  %92 = getelementptr inbounds i8, i8* %52, i32 12
  %93 = bitcast i8* %92 to i32*
  %94 = load i32, i32* %93, align 4
  %95 = call i32 @llvm.arm.smlad(i32 %78, i32 %91, i32 %50)
  %96 = call i32 @llvm.arm.smlad(i32 %80, i32 %94, i32 %95)
  %97 = getelementptr inbounds i8, i8* %51, i32 8
  %98 = bitcast i8* %97 to i32*
  %99 = load i32, i32* %98, align 4
  %100 = call i32 @llvm.arm.sxtb16(i32 %99)
  %101 = call i32 @llvm.fshr.i32(i32 %99, i32 %99, i32 8)
  %102 = call i32 @llvm.arm.sxtb16(i32 %101)
  %103 = getelementptr inbounds i8, i8* %52, i32 16
  %104 = bitcast i8* %103 to i32*
  %105 = load i32, i32* %104, align 4
  %106 = getelementptr inbounds i8, i8* %52, i32 20
  %107 = bitcast i8* %106 to i32*
  %108 = load i32, i32* %107, align 4
  %109 = call i32 @llvm.arm.smlad(i32 %100, i32 %105, i32 %66)
  %110 = call i32 @llvm.arm.smlad(i32 %102, i32 %108, i32 %109)
  %111 = getelementptr inbounds i8, i8* %52, i32 24
  %112 = bitcast i8* %111 to i32*
  %113 = load i32, i32* %112, align 4
  %114 = getelementptr inbounds i8, i8* %52, i32 28
  %115 = bitcast i8* %114 to i32*
  %116 = load i32, i32* %115, align 4
  %117 = call i32 @llvm.arm.smlad(i32 %100, i32 %113, i32 %74)
  %118 = call i32 @llvm.arm.smlad(i32 %102, i32 %116, i32 %117)
  %119 = getelementptr inbounds i8, i8* %51, i32 12
  %120 = bitcast i8* %119 to i32*
  %121 = load i32, i32* %120, align 4
  %122 = call i32 @llvm.arm.sxtb16(i32 %121)
  %123 = call i32 @llvm.fshr.i32(i32 %121, i32 %121, i32 8)
  %124 = call i32 @llvm.arm.sxtb16(i32 %123)
  %125 = getelementptr inbounds i8, i8* %52, i32 16
  %126 = bitcast i8* %125 to i32*
  %127 = load i32, i32* %126, align 4
  %128 = getelementptr inbounds i8, i8* %52, i32 20
  %129 = bitcast i8* %128 to i32*
  %130 = load i32, i32* %129, align 4
  %131 = call i32 @llvm.arm.smlad(i32 %122, i32 %127, i32 %88)
  %132 = call i32 @llvm.arm.smlad(i32 %124, i32 %130, i32 %131)
  %133 = getelementptr inbounds i8, i8* %52, i32 24
  %134 = bitcast i8* %133 to i32*
  %135 = load i32, i32* %134, align 4
  %136 = getelementptr inbounds i8, i8* %52, i32 28
  %137 = bitcast i8* %136 to i32*
  %138 = load i32, i32* %137, align 4
  %139 = call i32 @llvm.arm.smlad(i32 %122, i32 %135, i32 %96)
  %140 = call i32 @llvm.arm.smlad(i32 %124, i32 %138, i32 %139)
  %141 = getelementptr inbounds i8, i8* %51, i32 16
  %142 = bitcast i8* %141 to i32*
  %143 = load i32, i32* %142, align 4
  %144 = call i32 @llvm.arm.sxtb16(i32 %143)
  %145 = call i32 @llvm.fshr.i32(i32 %143, i32 %143, i32 8)
  %146 = call i32 @llvm.arm.sxtb16(i32 %145)
  %147 = getelementptr inbounds i8, i8* %52, i32 32
  %148 = bitcast i8* %147 to i32*
  %149 = load i32, i32* %148, align 4
  %150 = getelementptr inbounds i8, i8* %52, i32 36
  %151 = bitcast i8* %150 to i32*
  %152 = load i32, i32* %151, align 4
  %153 = call i32 @llvm.arm.smlad(i32 %144, i32 %149, i32 %110)
  %154 = call i32 @llvm.arm.smlad(i32 %146, i32 %152, i32 %153)
  %155 = getelementptr inbounds i8, i8* %52, i32 40
  %156 = bitcast i8* %155 to i32*
  %157 = load i32, i32* %156, align 4
  %158 = getelementptr inbounds i8, i8* %52, i32 44
  %159 = bitcast i8* %158 to i32*
  %160 = load i32, i32* %159, align 4
  %161 = call i32 @llvm.arm.smlad(i32 %144, i32 %157, i32 %118)
  %162 = call i32 @llvm.arm.smlad(i32 %146, i32 %160, i32 %161)
  %163 = getelementptr inbounds i8, i8* %51, i32 20
  %164 = bitcast i8* %163 to i32*
  %165 = load i32, i32* %164, align 4
  %166 = call i32 @llvm.arm.sxtb16(i32 %165)
  %167 = call i32 @llvm.fshr.i32(i32 %165, i32 %165, i32 8)
  %168 = call i32 @llvm.arm.sxtb16(i32 %167)
  %169 = getelementptr inbounds i8, i8* %52, i32 32
  %170 = bitcast i8* %169 to i32*
  %171 = load i32, i32* %170, align 4
  %172 = getelementptr inbounds i8, i8* %52, i32 36
  %173 = bitcast i8* %172 to i32*
  %174 = load i32, i32* %173, align 4
  %175 = call i32 @llvm.arm.smlad(i32 %166, i32 %171, i32 %132)
  %176 = call i32 @llvm.arm.smlad(i32 %168, i32 %174, i32 %175)
  %177 = getelementptr inbounds i8, i8* %52, i32 40
  %178 = bitcast i8* %177 to i32*
  %179 = load i32, i32* %178, align 4
  %180 = getelementptr inbounds i8, i8* %52, i32 44
  %181 = bitcast i8* %180 to i32*
  %182 = load i32, i32* %181, align 4
  %183 = call i32 @llvm.arm.smlad(i32 %166, i32 %179, i32 %140)
  %184 = call i32 @llvm.arm.smlad(i32 %168, i32 %182, i32 %183)
  %185 = getelementptr inbounds i8, i8* %51, i32 24
  %186 = bitcast i8* %185 to i32*
  %187 = load i32, i32* %186, align 4
  %188 = call i32 @llvm.arm.sxtb16(i32 %187)
  %189 = call i32 @llvm.fshr.i32(i32 %187, i32 %187, i32 8)
  %190 = call i32 @llvm.arm.sxtb16(i32 %189)
  %191 = getelementptr inbounds i8, i8* %52, i32 48
  %192 = bitcast i8* %191 to i32*
  %193 = load i32, i32* %192, align 4
  %194 = getelementptr inbounds i8, i8* %52, i32 52
  %195 = bitcast i8* %194 to i32*
  %196 = load i32, i32* %195, align 4
  %197 = call i32 @llvm.arm.smlad(i32 %188, i32 %193, i32 %154)
  %198 = call i32 @llvm.arm.smlad(i32 %190, i32 %196, i32 %197)
  %199 = getelementptr inbounds i8, i8* %52, i32 56
  %200 = bitcast i8* %199 to i32*
  %201 = load i32, i32* %200, align 4
  %202 = getelementptr inbounds i8, i8* %52, i32 60
  %203 = bitcast i8* %202 to i32*
  %204 = load i32, i32* %203, align 4
  %205 = call i32 @llvm.arm.smlad(i32 %188, i32 %201, i32 %162)
  %206 = call i32 @llvm.arm.smlad(i32 %190, i32 %204, i32 %205)
  %207 = getelementptr inbounds i8, i8* %51, i32 28
  %208 = bitcast i8* %207 to i32*
  %209 = load i32, i32* %208, align 4
  %210 = call i32 @llvm.arm.sxtb16(i32 %209)
  %211 = call i32 @llvm.fshr.i32(i32 %209, i32 %209, i32 8)
  %212 = call i32 @llvm.arm.sxtb16(i32 %211)
  %213 = getelementptr inbounds i8, i8* %52, i32 48
  %214 = bitcast i8* %213 to i32*
  %215 = load i32, i32* %214, align 4
  %216 = getelementptr inbounds i8, i8* %52, i32 52
  %217 = bitcast i8* %216 to i32*
  %218 = load i32, i32* %217, align 4
  %219 = call i32 @llvm.arm.smlad(i32 %210, i32 %215, i32 %176)
  %220 = call i32 @llvm.arm.smlad(i32 %212, i32 %218, i32 %219)
  %221 = getelementptr inbounds i8, i8* %52, i32 56
  %222 = bitcast i8* %221 to i32*
  %223 = load i32, i32* %222, align 4
  %224 = getelementptr inbounds i8, i8* %52, i32 60
  %225 = bitcast i8* %224 to i32*
  %226 = load i32, i32* %225, align 4
  %227 = call i32 @llvm.arm.smlad(i32 %210, i32 %223, i32 %184)
  %228 = call i32 @llvm.arm.smlad(i32 %212, i32 %226, i32 %227)
  %229 = getelementptr inbounds i8, i8* %51, i32 32
  %230 = bitcast i8* %229 to i32*
  %231 = load i32, i32* %230, align 4
  %232 = call i32 @llvm.arm.sxtb16(i32 %231)
  %233 = call i32 @llvm.fshr.i32(i32 %231, i32 %231, i32 8)
  %234 = call i32 @llvm.arm.sxtb16(i32 %233)
  %235 = getelementptr inbounds i8, i8* %52, i32 64
  %236 = bitcast i8* %235 to i32*
  %237 = load i32, i32* %236, align 4
  %238 = getelementptr inbounds i8, i8* %52, i32 68
  %239 = bitcast i8* %238 to i32*
  %240 = load i32, i32* %239, align 4
  %241 = call i32 @llvm.arm.smlad(i32 %232, i32 %237, i32 %198)
  %242 = call i32 @llvm.arm.smlad(i32 %234, i32 %240, i32 %241)
  %243 = getelementptr inbounds i8, i8* %52, i32 72
  %244 = bitcast i8* %243 to i32*
  %245 = load i32, i32* %244, align 4
  %246 = getelementptr inbounds i8, i8* %52, i32 76
  %247 = bitcast i8* %246 to i32*
  %248 = load i32, i32* %247, align 4
  %249 = call i32 @llvm.arm.smlad(i32 %232, i32 %245, i32 %206)
  %250 = call i32 @llvm.arm.smlad(i32 %234, i32 %248, i32 %249)
  %251 = getelementptr inbounds i8, i8* %51, i32 36
  %252 = bitcast i8* %251 to i32*
  %253 = load i32, i32* %252, align 4
  %254 = call i32 @llvm.arm.sxtb16(i32 %253)
  %255 = call i32 @llvm.fshr.i32(i32 %253, i32 %253, i32 8)
  %256 = call i32 @llvm.arm.sxtb16(i32 %255)
  %257 = getelementptr inbounds i8, i8* %52, i32 64
  %258 = bitcast i8* %257 to i32*
  %259 = load i32, i32* %258, align 4
  %260 = getelementptr inbounds i8, i8* %52, i32 68
  %261 = bitcast i8* %260 to i32*
  %262 = load i32, i32* %261, align 4
  %263 = call i32 @llvm.arm.smlad(i32 %254, i32 %259, i32 %220)
  %264 = call i32 @llvm.arm.smlad(i32 %256, i32 %262, i32 %263)
  %265 = getelementptr inbounds i8, i8* %52, i32 72
  %266 = bitcast i8* %265 to i32*
  %267 = load i32, i32* %266, align 4
  %268 = getelementptr inbounds i8, i8* %52, i32 76
  %269 = bitcast i8* %268 to i32*
  %270 = load i32, i32* %269, align 4
  %271 = call i32 @llvm.arm.smlad(i32 %254, i32 %267, i32 %228)
  %272 = call i32 @llvm.arm.smlad(i32 %256, i32 %270, i32 %271)
  %273 = getelementptr inbounds i8, i8* %51, i32 40
  %274 = bitcast i8* %273 to i32*
  %275 = load i32, i32* %274, align 4
  %276 = call i32 @llvm.arm.sxtb16(i32 %275)
  %277 = call i32 @llvm.fshr.i32(i32 %275, i32 %275, i32 8)
  %278 = call i32 @llvm.arm.sxtb16(i32 %277)
  %279 = getelementptr inbounds i8, i8* %52, i32 80
  %280 = bitcast i8* %279 to i32*
  %281 = load i32, i32* %280, align 4
  %282 = getelementptr inbounds i8, i8* %52, i32 84
  %283 = bitcast i8* %282 to i32*
  %284 = load i32, i32* %283, align 4
  %285 = call i32 @llvm.arm.smlad(i32 %276, i32 %281, i32 %242)
  %286 = call i32 @llvm.arm.smlad(i32 %278, i32 %284, i32 %285)
  %287 = getelementptr inbounds i8, i8* %52, i32 88
  %288 = bitcast i8* %287 to i32*
  %289 = load i32, i32* %288, align 4
  %290 = getelementptr inbounds i8, i8* %52, i32 92
  %291 = bitcast i8* %290 to i32*
  %292 = load i32, i32* %291, align 4
  %293 = call i32 @llvm.arm.smlad(i32 %276, i32 %289, i32 %250)
  %294 = call i32 @llvm.arm.smlad(i32 %278, i32 %292, i32 %293)
  %295 = getelementptr inbounds i8, i8* %51, i32 44
  %296 = bitcast i8* %295 to i32*
  %297 = load i32, i32* %296, align 4
  %298 = call i32 @llvm.arm.sxtb16(i32 %297)
  %299 = call i32 @llvm.fshr.i32(i32 %297, i32 %297, i32 8)
  %300 = call i32 @llvm.arm.sxtb16(i32 %299)
  %301 = getelementptr inbounds i8, i8* %52, i32 80
  %302 = bitcast i8* %301 to i32*
  %303 = load i32, i32* %302, align 4
  %304 = getelementptr inbounds i8, i8* %52, i32 84
  %305 = bitcast i8* %304 to i32*
  %306 = load i32, i32* %305, align 4
  %307 = call i32 @llvm.arm.smlad(i32 %298, i32 %303, i32 %264)
  %308 = call i32 @llvm.arm.smlad(i32 %300, i32 %306, i32 %307)
  %309 = getelementptr inbounds i8, i8* %52, i32 88
  %310 = bitcast i8* %309 to i32*
  %311 = load i32, i32* %310, align 4
  %312 = getelementptr inbounds i8, i8* %52, i32 92
  %313 = bitcast i8* %312 to i32*
  %314 = load i32, i32* %313, align 4
  %315 = call i32 @llvm.arm.smlad(i32 %298, i32 %311, i32 %272)
  %316 = call i32 @llvm.arm.smlad(i32 %300, i32 %314, i32 %315)
  %317 = getelementptr inbounds i8, i8* %51, i32 48
  %318 = bitcast i8* %317 to i32*
  %319 = load i32, i32* %318, align 4
  %320 = call i32 @llvm.arm.sxtb16(i32 %319)
  %321 = call i32 @llvm.fshr.i32(i32 %319, i32 %319, i32 8)
  %322 = call i32 @llvm.arm.sxtb16(i32 %321)
  %323 = getelementptr inbounds i8, i8* %52, i32 96
  %324 = bitcast i8* %323 to i32*
  %325 = load i32, i32* %324, align 4
  %326 = getelementptr inbounds i8, i8* %52, i32 100
  %327 = bitcast i8* %326 to i32*
  %328 = load i32, i32* %327, align 4
  %329 = call i32 @llvm.arm.smlad(i32 %320, i32 %325, i32 %286)
  %330 = call i32 @llvm.arm.smlad(i32 %322, i32 %328, i32 %329)
  %331 = getelementptr inbounds i8, i8* %52, i32 104
  %332 = bitcast i8* %331 to i32*
  %333 = load i32, i32* %332, align 4
  %334 = getelementptr inbounds i8, i8* %52, i32 108
  %335 = bitcast i8* %334 to i32*
  %336 = load i32, i32* %335, align 4
  %337 = call i32 @llvm.arm.smlad(i32 %320, i32 %333, i32 %294)
  %338 = call i32 @llvm.arm.smlad(i32 %322, i32 %336, i32 %337)
  %339 = getelementptr inbounds i8, i8* %51, i32 52
  %340 = bitcast i8* %339 to i32*
  %341 = load i32, i32* %340, align 4
  %342 = call i32 @llvm.arm.sxtb16(i32 %341)
  %343 = call i32 @llvm.fshr.i32(i32 %341, i32 %341, i32 8)
  %344 = call i32 @llvm.arm.sxtb16(i32 %343)
  %345 = getelementptr inbounds i8, i8* %52, i32 96
  %346 = bitcast i8* %345 to i32*
  %347 = load i32, i32* %346, align 4
  %348 = getelementptr inbounds i8, i8* %52, i32 100
  %349 = bitcast i8* %348 to i32*
  %350 = load i32, i32* %349, align 4
  %351 = call i32 @llvm.arm.smlad(i32 %342, i32 %347, i32 %308)
  %352 = call i32 @llvm.arm.smlad(i32 %344, i32 %350, i32 %351)
  %353 = getelementptr inbounds i8, i8* %52, i32 104
  %354 = bitcast i8* %353 to i32*
  %355 = load i32, i32* %354, align 4
  %356 = getelementptr inbounds i8, i8* %52, i32 108
  %357 = bitcast i8* %356 to i32*
  %358 = load i32, i32* %357, align 4
  %359 = call i32 @llvm.arm.smlad(i32 %342, i32 %355, i32 %316)
  %360 = call i32 @llvm.arm.smlad(i32 %344, i32 %358, i32 %359)
  %361 = getelementptr inbounds i8, i8* %51, i32 56
  %362 = bitcast i8* %361 to i32*
  %363 = load i32, i32* %362, align 4
  %364 = call i32 @llvm.arm.sxtb16(i32 %363)
  %365 = call i32 @llvm.fshr.i32(i32 %363, i32 %363, i32 8)
  %366 = call i32 @llvm.arm.sxtb16(i32 %365)
  %367 = getelementptr inbounds i8, i8* %52, i32 112
  %368 = bitcast i8* %367 to i32*
  %369 = load i32, i32* %368, align 4
  %370 = getelementptr inbounds i8, i8* %52, i32 116
  %371 = bitcast i8* %370 to i32*
  %372 = load i32, i32* %371, align 4
  %373 = call i32 @llvm.arm.smlad(i32 %364, i32 %369, i32 %330)
  %374 = call i32 @llvm.arm.smlad(i32 %366, i32 %372, i32 %373)
  %375 = getelementptr inbounds i8, i8* %52, i32 120
  %376 = bitcast i8* %375 to i32*
  %377 = load i32, i32* %376, align 4
  %378 = getelementptr inbounds i8, i8* %52, i32 124
  %379 = bitcast i8* %378 to i32*
  %380 = load i32, i32* %379, align 4
  %381 = call i32 @llvm.arm.smlad(i32 %364, i32 %377, i32 %338)
  %382 = call i32 @llvm.arm.smlad(i32 %366, i32 %380, i32 %381)
  %383 = getelementptr inbounds i8, i8* %51, i32 60
  %384 = bitcast i8* %383 to i32*
  %385 = load i32, i32* %384, align 4
  %386 = call i32 @llvm.arm.sxtb16(i32 %385)
  %387 = call i32 @llvm.fshr.i32(i32 %385, i32 %385, i32 8)
  %388 = call i32 @llvm.arm.sxtb16(i32 %387)
  %389 = getelementptr inbounds i8, i8* %52, i32 112
  %390 = bitcast i8* %389 to i32*
  %391 = load i32, i32* %390, align 4
  %392 = getelementptr inbounds i8, i8* %52, i32 116
  %393 = bitcast i8* %392 to i32*
  %394 = load i32, i32* %393, align 4
  %395 = call i32 @llvm.arm.smlad(i32 %386, i32 %391, i32 %352)
  %396 = call i32 @llvm.arm.smlad(i32 %388, i32 %394, i32 %395)
  %397 = getelementptr inbounds i8, i8* %52, i32 120
  %398 = bitcast i8* %397 to i32*
  %399 = load i32, i32* %398, align 4
  %400 = getelementptr inbounds i8, i8* %52, i32 124
  %401 = bitcast i8* %400 to i32*
  %402 = load i32, i32* %401, align 4
  %403 = call i32 @llvm.arm.smlad(i32 %386, i32 %399, i32 %360)
  %404 = call i32 @llvm.arm.smlad(i32 %388, i32 %402, i32 %403)
  %405 = getelementptr inbounds i8, i8* %51, i32 64
  %406 = bitcast i8* %405 to i32*
  %407 = load i32, i32* %406, align 4
  %408 = call i32 @llvm.arm.sxtb16(i32 %407)
  %409 = call i32 @llvm.fshr.i32(i32 %407, i32 %407, i32 8)
  %410 = call i32 @llvm.arm.sxtb16(i32 %409)
  %411 = getelementptr inbounds i8, i8* %52, i32 128
  %412 = bitcast i8* %411 to i32*
  %413 = load i32, i32* %412, align 4
  %414 = getelementptr inbounds i8, i8* %52, i32 132
  %415 = bitcast i8* %414 to i32*
  %416 = load i32, i32* %415, align 4
  %417 = call i32 @llvm.arm.smlad(i32 %408, i32 %413, i32 %374)
  %418 = call i32 @llvm.arm.smlad(i32 %410, i32 %416, i32 %417)
  %419 = getelementptr inbounds i8, i8* %52, i32 136
  %420 = bitcast i8* %419 to i32*
  %421 = load i32, i32* %420, align 4
  %422 = getelementptr inbounds i8, i8* %52, i32 140
  %423 = bitcast i8* %422 to i32*
  %424 = load i32, i32* %423, align 4
  %425 = call i32 @llvm.arm.smlad(i32 %408, i32 %421, i32 %382)
  %426 = call i32 @llvm.arm.smlad(i32 %410, i32 %424, i32 %425)
  %427 = getelementptr inbounds i8, i8* %51, i32 68
  %428 = bitcast i8* %427 to i32*
  %429 = load i32, i32* %428, align 4
  %430 = call i32 @llvm.arm.sxtb16(i32 %429)
  %431 = call i32 @llvm.fshr.i32(i32 %429, i32 %429, i32 8)
  %432 = call i32 @llvm.arm.sxtb16(i32 %431)
  %433 = getelementptr inbounds i8, i8* %52, i32 128
  %434 = bitcast i8* %433 to i32*
  %435 = load i32, i32* %434, align 4
  %436 = getelementptr inbounds i8, i8* %52, i32 132
  %437 = bitcast i8* %436 to i32*
  %438 = load i32, i32* %437, align 4
  %439 = call i32 @llvm.arm.smlad(i32 %430, i32 %435, i32 %396)
  %440 = call i32 @llvm.arm.smlad(i32 %432, i32 %438, i32 %439)
  %441 = getelementptr inbounds i8, i8* %52, i32 136
  %442 = bitcast i8* %441 to i32*
  %443 = load i32, i32* %442, align 4
  %444 = getelementptr inbounds i8, i8* %52, i32 140
  %445 = bitcast i8* %444 to i32*
  %446 = load i32, i32* %445, align 4
  %447 = call i32 @llvm.arm.smlad(i32 %430, i32 %443, i32 %404)
  %448 = call i32 @llvm.arm.smlad(i32 %432, i32 %446, i32 %447)
  %449 = getelementptr inbounds i8, i8* %6, i32 0
  %450 = bitcast i8* %449 to i32*
  store i32 %418, i32* %450, align 4
  %451 = getelementptr inbounds i8, i8* %6, i32 4
  %452 = bitcast i8* %451 to i32*
  store i32 %440, i32* %452, align 4
  %453 = getelementptr inbounds i8, i8* %6, i32 8
  %454 = bitcast i8* %453 to i32*
  store i32 %426, i32* %454, align 4
  %455 = getelementptr inbounds i8, i8* %6, i32 12
  %456 = bitcast i8* %455 to i32*
  store i32 %448, i32* %456, align 4
  %457 = getelementptr inbounds i8, i8* %3, i32 %4
  %458 = getelementptr inbounds i8, i8* %6, i32 0
  %459 = bitcast i8* %458 to i32*
  %460 = load i32, i32* %459, align 4
  %461 = shl i32 %460, 1
  %462 = sext i32 %9 to i64
  %463 = sext i32 %461 to i64
  %464 = mul i64 %463, %462
  %465 = add i64 %464, 2147483648
  %466 = ashr i64 %465, 32
  %467 = trunc i64 %466 to i32
  %468 = add i32 %467, %12
  %469 = lshr i32 %467, 31
  %470 = sub i32 %468, %469
  %471 = ashr i32 %470, %15
  %472 = call i32 @llvm.arm.ssat(i32 %471, i32 8)
  %473 = trunc i32 %472 to i8
  %474 = getelementptr inbounds i8, i8* %457, i32 0
  store i8 %473, i8* %474, align 1
  %475 = getelementptr inbounds i8, i8* %6, i32 8
  %476 = bitcast i8* %475 to i32*
  %477 = load i32, i32* %476, align 4
  %478 = shl i32 %477, 1
  %479 = sext i32 %9 to i64
  %480 = sext i32 %478 to i64
  %481 = mul i64 %480, %479
  %482 = add i64 %481, 2147483648
  %483 = ashr i64 %482, 32
  %484 = trunc i64 %483 to i32
  %485 = add i32 %484, %12
  %486 = lshr i32 %484, 31
  %487 = sub i32 %485, %486
  %488 = ashr i32 %487, %15
  %489 = call i32 @llvm.arm.ssat(i32 %488, i32 8)
  %490 = trunc i32 %489 to i8
  %491 = getelementptr inbounds i8, i8* %457, i32 8
  store i8 %490, i8* %491, align 1
  %492 = getelementptr inbounds i8, i8* %6, i32 4
  %493 = bitcast i8* %492 to i32*
  %494 = load i32, i32* %493, align 4
  %495 = shl i32 %494, 1
  %496 = sext i32 %25 to i64
  %497 = sext i32 %495 to i64
  %498 = mul i64 %497, %496
  %499 = add i64 %498, 2147483648
  %500 = ashr i64 %499, 32
  %501 = trunc i64 %500 to i32
  %502 = add i32 %501, %28
  %503 = lshr i32 %501, 31
  %504 = sub i32 %502, %503
  %505 = ashr i32 %504, %31
  %506 = call i32 @llvm.arm.ssat(i32 %505, i32 8)
  %507 = trunc i32 %506 to i8
  %508 = getelementptr inbounds i8, i8* %457, i32 1
  store i8 %507, i8* %508, align 1
  %509 = getelementptr inbounds i8, i8* %6, i32 12
  %510 = bitcast i8* %509 to i32*
  %511 = load i32, i32* %510, align 4
  %512 = shl i32 %511, 1
  %513 = sext i32 %25 to i64
  %514 = sext i32 %512 to i64
  %515 = mul i64 %514, %513
  %516 = add i64 %515, 2147483648
  %517 = ashr i64 %516, 32
  %518 = trunc i64 %517 to i32
  %519 = add i32 %518, %28
  %520 = lshr i32 %518, 31
  %521 = sub i32 %519, %520
  %522 = ashr i32 %521, %31
  %523 = call i32 @llvm.arm.ssat(i32 %522, i32 8)
  %524 = trunc i32 %523 to i8
  %525 = getelementptr inbounds i8, i8* %457, i32 9
  store i8 %524, i8* %525, align 1
  ret void
}

; Function Attrs: nounwind readnone
declare i32 @llvm.arm.sxtb16(i32) #1

; Function Attrs: nofree nosync nounwind readnone speculatable willreturn
declare i32 @llvm.fshr.i32(i32, i32, i32) #2

; Function Attrs: nounwind readnone
declare i32 @llvm.arm.smlad(i32, i32, i32) #1

; Function Attrs: nounwind readnone
declare i32 @llvm.arm.ssat(i32, i32) #1

; Function Attrs: nofree nosync nounwind readnone speculatable willreturn
declare i32 @llvm.smin.i32(i32, i32) #2

; Function Attrs: nounwind readnone
declare i32 @llvm.arm.uxtab16(i32, i32) #1

; Function Attrs: noinline nounwind
define internal void @qf_tiny_L1(i8* readonly %0, i8* %1, i8* %2) #0 {
entry:
  %3 = getelementptr inbounds i8, i8* %1, i32 0
  %4 = getelementptr inbounds i8, i8* %1, i32 0
  br label %pix

pix:                                              ; preds = %40, %entry
  %pix1 = phi i32 [ 0, %entry ], [ %41, %40 ]
  %5 = udiv i32 %pix1, 3
  %6 = mul i32 %5, 3
  %7 = sub i32 %pix1, %6
  %8 = mul i32 %7, 2
  %9 = mul i32 %5, 12
  %10 = add i32 %9, %8
  %11 = mul i32 %10, 8
  %12 = getelementptr inbounds i8, i8* %3, i32 %11
  %13 = mul i32 %pix1, 8
  %14 = getelementptr inbounds i8, i8* %4, i32 %13
  br label %quad

15:                                               ; preds = %40
  ret void

quad:                                             ; preds = %quad, %pix
  %quad2 = phi i32 [ 0, %pix ], [ %38, %quad ]
  %16 = shl i32 %quad2, 2
  %17 = getelementptr inbounds i8, i8* %12, i32 %16
  %18 = getelementptr inbounds i8, i8* %17, i32 0
  %19 = bitcast i8* %18 to i32*
  %20 = load i32, i32* %19, align 4
  %21 = getelementptr inbounds i8, i8* %17, i32 8
  %22 = bitcast i8* %21 to i32*
  %23 = load i32, i32* %22, align 4
  %24 = call i32 @llvm.arm.ssub8(i32 %20, i32 %23)
  %25 = call i32 @llvm.arm.sel(i32 %20, i32 %23)
  %26 = getelementptr inbounds i8, i8* %17, i32 48
  %27 = bitcast i8* %26 to i32*
  %28 = load i32, i32* %27, align 4
  %29 = call i32 @llvm.arm.ssub8(i32 %25, i32 %28)
  %30 = call i32 @llvm.arm.sel(i32 %25, i32 %28)
  %31 = getelementptr inbounds i8, i8* %17, i32 56
  %32 = bitcast i8* %31 to i32*
  %33 = load i32, i32* %32, align 4
  %34 = call i32 @llvm.arm.ssub8(i32 %30, i32 %33)
  %35 = call i32 @llvm.arm.sel(i32 %30, i32 %33)
  %36 = getelementptr inbounds i8, i8* %14, i32 %16
  %37 = bitcast i8* %36 to i32*
  store i32 %35, i32* %37, align 4
  %38 = add nsw i32 %quad2, 1
  %39 = icmp slt i32 %38, 2
  br i1 %39, label %quad, label %40

40:                                               ; preds = %quad
  %41 = add nsw i32 %pix1, 1
  %42 = icmp slt i32 %41, 9
  br i1 %42, label %pix, label %15
}

; Function Attrs: nounwind
declare i32 @llvm.arm.ssub8(i32, i32) #3

; Function Attrs: nounwind readonly
declare i32 @llvm.arm.sel(i32, i32) #4

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
  %220 = mul i32 %chan5, 2
  %221 = call i32 @llvm.smin.i32(i32 %220, i32 1)
  %222 = mul i32 %chan5, 72
  %223 = getelementptr inbounds i8, i8* getelementptr inbounds ([144 x i8], [144 x i8]* @L2.w, i32 0, i32 0), i32 %222
  %224 = shl i32 %221, 4
  %225 = getelementptr inbounds i8, i8* getelementptr inbounds ([48 x i8], [48 x i8]* @L2.rq, i32 0, i32 0), i32 %224
  %226 = mul i32 %5, 3
  %227 = add i32 %226, %221
  call void @qf_tiny_L2_tile(i8* %223, i8* %3, i8* %225, i8* %2, i32 %227)
  %228 = add nsw i32 %chan5, 1
  %229 = icmp slt i32 %228, 2
  br i1 %229, label %chan, label %230

230:                                              ; preds = %chan
  %231 = add nsw i32 %pix1, 1
  %232 = icmp slt i32 %231, 1
  br i1 %232, label %pix, label %7
}

; Function Attrs: noinline nounwind
define internal void @qf_tiny_L2_tile(i8* %0, i8* %1, i8* %2, i8* %3, i32 %4) #0 {
entry:
  %5 = alloca [2 x i32], align 4
  %6 = bitcast [2 x i32]* %5 to i8*
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
  %21 = getelementptr inbounds i8, i8* %2, i32 16
  %22 = bitcast i8* %21 to i32*
  %23 = load i32, i32* %22, align 4
  %24 = getelementptr inbounds i8, i8* %21, i32 4
  %25 = bitcast i8* %24 to i32*
  %26 = load i32, i32* %25, align 4
  %27 = getelementptr inbounds i8, i8* %21, i32 8
  %28 = bitcast i8* %27 to i32*
  %29 = load i32, i32* %28, align 4
  %30 = getelementptr inbounds i8, i8* %21, i32 12
  %31 = bitcast i8* %30 to i32*
  %32 = load i32, i32* %31, align 4
  %33 = getelementptr inbounds i8, i8* %6, i32 4
  %34 = bitcast i8* %33 to i32*
  store i32 %32, i32* %34, align 4
  %35 = getelementptr inbounds i8, i8* %6, i32 0
  %36 = bitcast i8* %35 to i32*
  %37 = load i32, i32* %36, align 4
  %38 = getelementptr inbounds i8, i8* %6, i32 4
  %39 = bitcast i8* %38 to i32*
  %40 = load i32, i32* %39, align 4
  %41 = getelementptr inbounds i8, i8* %0, i32 0
  %42 = getelementptr inbounds i8, i8* %1, i32 0
  %43 = getelementptr inbounds i8, i8* %41, i32 0
  %44 = bitcast i8* %43 to i32*
  %45 = load i32, i32* %44, align 4
  %46 = shl i32 %45, 4
  %47 = and i32 %46, -252645136
  %48 = call i32 @llvm.arm.sxtb16(i32 %47)
  %49 = call i32 @llvm.fshr.i32(i32 %47, i32 %47, i32 8)
  %50 = call i32 @llvm.arm.sxtb16(i32 %49)
  %51 = getelementptr inbounds i8, i8* %42, i32 0
  %52 = bitcast i8* %51 to i32*
  %53 = load i32, i32* %52, align 4
  %54 = getelementptr inbounds i8, i8* %42, i32 4
  %55 = bitcast i8* %54 to i32*
  %56 = load i32, i32* %55, align 4
  %57 = call i32 @llvm.arm.smlad(i32 %48, i32 %53, i32 %37)
  %58 = call i32 @llvm.arm.smlad(i32 %50, i32 %56, i32 %57)
  %59 = and i32 %45, -252645136
  %60 = call i32 @llvm.arm.sxtb16(i32 %59)
  %61 = call i32 @llvm.fshr.i32(i32 %59, i32 %59, i32 8)
  %62 = call i32 @llvm.arm.sxtb16(i32 %61)
  %63 = getelementptr inbounds i8, i8* %42, i32 8
  %64 = bitcast i8* %63 to i32*
  %65 = load i32, i32* %64, align 4
  %66 = getelementptr inbounds i8, i8* %42, i32 12
  %67 = bitcast i8* %66 to i32*
  %68 = load i32, i32* %67, align 4
  %69 = call i32 @llvm.arm.smlad(i32 %60, i32 %65, i32 %58)
  %70 = call i32 @llvm.arm.smlad(i32 %62, i32 %68, i32 %69)
  %71 = getelementptr inbounds i8, i8* %41, i32 4
  %72 = bitcast i8* %71 to i32*
  %73 = load i32, i32* %72, align 4
  %74 = shl i32 %73, 4
  %75 = and i32 %74, -252645136
  %76 = call i32 @llvm.arm.sxtb16(i32 %75)
  %77 = call i32 @llvm.fshr.i32(i32 %75, i32 %75, i32 8)
  %78 = call i32 @llvm.arm.sxtb16(i32 %77)
  %79 = getelementptr inbounds i8, i8* %42, i32 0
  %80 = bitcast i8* %79 to i32*
  %81 = load i32, i32* %80, align 4
  %82 = getelementptr inbounds i8, i8* %42, i32 4
  %83 = bitcast i8* %82 to i32*
  %84 = load i32, i32* %83, align 4
  %85 = call i32 @llvm.arm.smlad(i32 %76, i32 %81, i32 %40)
  %86 = call i32 @llvm.arm.smlad(i32 %78, i32 %84, i32 %85)
  %87 = and i32 %73, -252645136
  %88 = call i32 @llvm.arm.sxtb16(i32 %87)
  %89 = call i32 @llvm.fshr.i32(i32 %87, i32 %87, i32 8)
  %90 = call i32 @llvm.arm.sxtb16(i32 %89)
  %91 = getelementptr inbounds i8, i8* %42, i32 8
  %92 = bitcast i8* %91 to i32*
  %93 = load i32, i32* %92, align 4
  %94 = getelementptr inbounds i8, i8* %42, i32 12
  %95 = bitcast i8* %94 to i32*
  %96 = load i32, i32* %95, align 4
  %97 = call i32 @llvm.arm.smlad(i32 %88, i32 %93, i32 %86)
  %98 = call i32 @llvm.arm.smlad(i32 %90, i32 %96, i32 %97)
  %99 = getelementptr inbounds i8, i8* %41, i32 8
  %100 = bitcast i8* %99 to i32*
  %101 = load i32, i32* %100, align 4
  %102 = shl i32 %101, 4
  %103 = and i32 %102, -252645136
  %104 = call i32 @llvm.arm.sxtb16(i32 %103)
  %105 = call i32 @llvm.fshr.i32(i32 %103, i32 %103, i32 8)
  %106 = call i32 @llvm.arm.sxtb16(i32 %105)
  %107 = getelementptr inbounds i8, i8* %42, i32 16
  %108 = bitcast i8* %107 to i32*
  %109 = load i32, i32* %108, align 4
  %110 = getelementptr inbounds i8, i8* %42, i32 20
  %111 = bitcast i8* %110 to i32*
  %112 = load i32, i32* %111, align 4
  %113 = call i32 @llvm.arm.smlad(i32 %104, i32 %109, i32 %70)
  %114 = call i32 @llvm.arm.smlad(i32 %106, i32 %112, i32 %113)
  %115 = and i32 %101, -252645136
  %116 = call i32 @llvm.arm.sxtb16(i32 %115)
  %117 = call i32 @llvm.fshr.i32(i32 %115, i32 %115, i32 8)
  %118 = call i32 @llvm.arm.sxtb16(i32 %117)
  %119 = getelementptr inbounds i8, i8* %42, i32 24
  %120 = bitcast i8* %119 to i32*
  %121 = load i32, i32* %120, align 4
  %122 = getelementptr inbounds i8, i8* %42, i32 28
  %123 = bitcast i8* %122 to i32*
  %124 = load i32, i32* %123, align 4
  %125 = call i32 @llvm.arm.smlad(i32 %116, i32 %121, i32 %114)
  %126 = call i32 @llvm.arm.smlad(i32 %118, i32 %124, i32 %125)
  %127 = getelementptr inbounds i8, i8* %41, i32 12
  %128 = bitcast i8* %127 to i32*
  %129 = load i32, i32* %128, align 4
  %130 = shl i32 %129, 4
  %131 = and i32 %130, -252645136
  %132 = call i32 @llvm.arm.sxtb16(i32 %131)
  %133 = call i32 @llvm.fshr.i32(i32 %131, i32 %131, i32 8)
  %134 = call i32 @llvm.arm.sxtb16(i32 %133)
  %135 = getelementptr inbounds i8, i8* %42, i32 16
  %136 = bitcast i8* %135 to i32*
  %137 = load i32, i32* %136, align 4
  %138 = getelementptr inbounds i8, i8* %42, i32 20
  %139 = bitcast i8* %138 to i32*
  %140 = load i32, i32* %139, align 4
  %141 = call i32 @llvm.arm.smlad(i32 %132, i32 %137, i32 %98)
  %142 = call i32 @llvm.arm.smlad(i32 %134, i32 %140, i32 %141)
  %143 = and i32 %129, -252645136
  %144 = call i32 @llvm.arm.sxtb16(i32 %143)
  %145 = call i32 @llvm.fshr.i32(i32 %143, i32 %143, i32 8)
  %146 = call i32 @llvm.arm.sxtb16(i32 %145)
  %147 = getelementptr inbounds i8, i8* %42, i32 24
  %148 = bitcast i8* %147 to i32*
  %149 = load i32, i32* %148, align 4
  %150 = getelementptr inbounds i8, i8* %42, i32 28
  %151 = bitcast i8* %150 to i32*
  %152 = load i32, i32* %151, align 4
  %153 = call i32 @llvm.arm.smlad(i32 %144, i32 %149, i32 %142)
  %154 = call i32 @llvm.arm.smlad(i32 %146, i32 %152, i32 %153)
  %155 = getelementptr inbounds i8, i8* %41, i32 16
  %156 = bitcast i8* %155 to i32*
  %157 = load i32, i32* %156, align 4
  %158 = shl i32 %157, 4
  %159 = and i32 %158, -252645136
  %160 = call i32 @llvm.arm.sxtb16(i32 %159)
  %161 = call i32 @llvm.fshr.i32(i32 %159, i32 %159, i32 8)
  %162 = call i32 @llvm.arm.sxtb16(i32 %161)
  %163 = getelementptr inbounds i8, i8* %42, i32 32
  %164 = bitcast i8* %163 to i32*
  %165 = load i32, i32* %164, align 4
  %166 = getelementptr inbounds i8, i8* %42, i32 36
  %167 = bitcast i8* %166 to i32*
  %168 = load i32, i32* %167, align 4
  %169 = call i32 @llvm.arm.smlad(i32 %160, i32 %165, i32 %126)
  %170 = call i32 @llvm.arm.smlad(i32 %162, i32 %168, i32 %169)
  %171 = and i32 %157, -252645136
  %172 = call i32 @llvm.arm.sxtb16(i32 %171)
  %173 = call i32 @llvm.fshr.i32(i32 %171, i32 %171, i32 8)
  %174 = call i32 @llvm.arm.sxtb16(i32 %173)
  %175 = getelementptr inbounds i8, i8* %42, i32 40
  %176 = bitcast i8* %175 to i32*
  %177 = load i32, i32* %176, align 4
  %178 = getelementptr inbounds i8, i8* %42, i32 44
  %179 = bitcast i8* %178 to i32*
  %180 = load i32, i32* %179, align 4
  %181 = call i32 @llvm.arm.smlad(i32 %172, i32 %177, i32 %170)
  %182 = call i32 @llvm.arm.smlad(i32 %174, i32 %180, i32 %181)
  %183 = getelementptr inbounds i8, i8* %41, i32 20
  %184 = bitcast i8* %183 to i32*
  %185 = load i32, i32* %184, align 4
  %186 = shl i32 %185, 4
  %187 = and i32 %186, -252645136
  %188 = call i32 @llvm.arm.sxtb16(i32 %187)
  %189 = call i32 @llvm.fshr.i32(i32 %187, i32 %187, i32 8)
  %190 = call i32 @llvm.arm.sxtb16(i32 %189)
  %191 = getelementptr inbounds i8, i8* %42, i32 32
  %192 = bitcast i8* %191 to i32*
  %193 = load i32, i32* %192, align 4
  %194 = getelementptr inbounds i8, i8* %42, i32 36
  %195 = bitcast i8* %194 to i32*
  %196 = load i32, i32* %195, align 4
  %197 = call i32 @llvm.arm.smlad(i32 %188, i32 %193, i32 %154)
  %198 = call i32 @llvm.arm.smlad(i32 %190, i32 %196, i32 %197)
  %199 = and i32 %185, -252645136
  %200 = call i32 @llvm.arm.sxtb16(i32 %199)
  %201 = call i32 @llvm.fshr.i32(i32 %199, i32 %199, i32 8)
  %202 = call i32 @llvm.arm.sxtb16(i32 %201)
  %203 = getelementptr inbounds i8, i8* %42, i32 40
  %204 = bitcast i8* %203 to i32*
  %205 = load i32, i32* %204, align 4
  %206 = getelementptr inbounds i8, i8* %42, i32 44
  %207 = bitcast i8* %206 to i32*
  %208 = load i32, i32* %207, align 4
  %209 = call i32 @llvm.arm.smlad(i32 %200, i32 %205, i32 %198)
  %210 = call i32 @llvm.arm.smlad(i32 %202, i32 %208, i32 %209)
  %211 = getelementptr inbounds i8, i8* %41, i32 24
  %212 = bitcast i8* %211 to i32*
  %213 = load i32, i32* %212, align 4
  %214 = shl i32 %213, 4
  %215 = and i32 %214, -252645136
  %216 = call i32 @llvm.arm.sxtb16(i32 %215)
  %217 = call i32 @llvm.fshr.i32(i32 %215, i32 %215, i32 8)
  %218 = call i32 @llvm.arm.sxtb16(i32 %217)
  %219 = getelementptr inbounds i8, i8* %42, i32 48
  %220 = bitcast i8* %219 to i32*
  %221 = load i32, i32* %220, align 4
  %222 = getelementptr inbounds i8, i8* %42, i32 52
  %223 = bitcast i8* %222 to i32*
  %224 = load i32, i32* %223, align 4
  %225 = call i32 @llvm.arm.smlad(i32 %216, i32 %221, i32 %182)
  %226 = call i32 @llvm.arm.smlad(i32 %218, i32 %224, i32 %225)
  %227 = and i32 %213, -252645136
  %228 = call i32 @llvm.arm.sxtb16(i32 %227)
  %229 = call i32 @llvm.fshr.i32(i32 %227, i32 %227, i32 8)
  %230 = call i32 @llvm.arm.sxtb16(i32 %229)
  %231 = getelementptr inbounds i8, i8* %42, i32 56
  %232 = bitcast i8* %231 to i32*
  %233 = load i32, i32* %232, align 4
  %234 = getelementptr inbounds i8, i8* %42, i32 60
  %235 = bitcast i8* %234 to i32*
  %236 = load i32, i32* %235, align 4
  %237 = call i32 @llvm.arm.smlad(i32 %228, i32 %233, i32 %226)
  %238 = call i32 @llvm.arm.smlad(i32 %230, i32 %236, i32 %237)
  %239 = getelementptr inbounds i8, i8* %41, i32 28
  %240 = bitcast i8* %239 to i32*
  %241 = load i32, i32* %240, align 4
  %242 = shl i32 %241, 4
  %243 = and i32 %242, -252645136
  %244 = call i32 @llvm.arm.sxtb16(i32 %243)
  %245 = call i32 @llvm.fshr.i32(i32 %243, i32 %243, i32 8)
  %246 = call i32 @llvm.arm.sxtb16(i32 %245)
  %247 = getelementptr inbounds i8, i8* %42, i32 48
  %248 = bitcast i8* %247 to i32*
  %249 = load i32, i32* %248, align 4
  %250 = getelementptr inbounds i8, i8* %42, i32 52
  %251 = bitcast i8* %250 to i32*
  %252 = load i32, i32* %251, align 4
  %253 = call i32 @llvm.arm.smlad(i32 %244, i32 %249, i32 %210)
  %254 = call i32 @llvm.arm.smlad(i32 %246, i32 %252, i32 %253)
  %255 = and i32 %241, -252645136
  %256 = call i32 @llvm.arm.sxtb16(i32 %255)
  %257 = call i32 @llvm.fshr.i32(i32 %255, i32 %255, i32 8)
  %258 = call i32 @llvm.arm.sxtb16(i32 %257)
  %259 = getelementptr inbounds i8, i8* %42, i32 56
  %260 = bitcast i8* %259 to i32*
  %261 = load i32, i32* %260, align 4
  %262 = getelementptr inbounds i8, i8* %42, i32 60
  %263 = bitcast i8* %262 to i32*
  %264 = load i32, i32* %263, align 4
  %265 = call i32 @llvm.arm.smlad(i32 %256, i32 %261, i32 %254)
  %266 = call i32 @llvm.arm.smlad(i32 %258, i32 %264, i32 %265)
  %267 = getelementptr inbounds i8, i8* %41, i32 32
  %268 = bitcast i8* %267 to i32*
  %269 = load i32, i32* %268, align 4
  %270 = shl i32 %269, 4
  %271 = and i32 %270, -252645136
  %272 = call i32 @llvm.arm.sxtb16(i32 %271)
  %273 = call i32 @llvm.fshr.i32(i32 %271, i32 %271, i32 8)
  %274 = call i32 @llvm.arm.sxtb16(i32 %273)
  %275 = getelementptr inbounds i8, i8* %42, i32 64
  %276 = bitcast i8* %275 to i32*
  %277 = load i32, i32* %276, align 4
  %278 = getelementptr inbounds i8, i8* %42, i32 68
  %279 = bitcast i8* %278 to i32*
  %280 = load i32, i32* %279, align 4
  %281 = call i32 @llvm.arm.smlad(i32 %272, i32 %277, i32 %238)
  %282 = call i32 @llvm.arm.smlad(i32 %274, i32 %280, i32 %281)
  %283 = and i32 %269, -252645136
  %284 = call i32 @llvm.arm.sxtb16(i32 %283)
  %285 = call i32 @llvm.fshr.i32(i32 %283, i32 %283, i32 8)
  %286 = call i32 @llvm.arm.sxtb16(i32 %285)
  %287 = getelementptr inbounds i8, i8* %42, i32 72
  %288 = bitcast i8* %287 to i32*
  %289 = load i32, i32* %288, align 4
  %290 = getelementptr inbounds i8, i8* %42, i32 76
  %291 = bitcast i8* %290 to i32*
  %292 = load i32, i32* %291, align 4
  %293 = call i32 @llvm.arm.smlad(i32 %284, i32 %289, i32 %282)
  %294 = call i32 @llvm.arm.smlad(i32 %286, i32 %292, i32 %293)
  %295 = getelementptr inbounds i8, i8* %41, i32 36
  %296 = bitcast i8* %295 to i32*
  %297 = load i32, i32* %296, align 4
  %298 = shl i32 %297, 4
  %299 = and i32 %298, -252645136
  %300 = call i32 @llvm.arm.sxtb16(i32 %299)
  %301 = call i32 @llvm.fshr.i32(i32 %299, i32 %299, i32 8)
  %302 = call i32 @llvm.arm.sxtb16(i32 %301)
  %303 = getelementptr inbounds i8, i8* %42, i32 64
  %304 = bitcast i8* %303 to i32*
  %305 = load i32, i32* %304, align 4
  %306 = getelementptr inbounds i8, i8* %42, i32 68
  %307 = bitcast i8* %306 to i32*
  %308 = load i32, i32* %307, align 4
  %309 = call i32 @llvm.arm.smlad(i32 %300, i32 %305, i32 %266)
  %310 = call i32 @llvm.arm.smlad(i32 %302, i32 %308, i32 %309)
  %311 = and i32 %297, -252645136
  %312 = call i32 @llvm.arm.sxtb16(i32 %311)
  %313 = call i32 @llvm.fshr.i32(i32 %311, i32 %311, i32 8)
  %314 = call i32 @llvm.arm.sxtb16(i32 %313)
  %315 = getelementptr inbounds i8, i8* %42, i32 72
  %316 = bitcast i8* %315 to i32*
  %317 = load i32, i32* %316, align 4
  %318 = getelementptr inbounds i8, i8* %42, i32 76
  %319 = bitcast i8* %318 to i32*
  %320 = load i32, i32* %319, align 4
  %321 = call i32 @llvm.arm.smlad(i32 %312, i32 %317, i32 %310)
  %322 = call i32 @llvm.arm.smlad(i32 %314, i32 %320, i32 %321)
  %323 = getelementptr inbounds i8, i8* %41, i32 40
  %324 = bitcast i8* %323 to i32*
  %325 = load i32, i32* %324, align 4
  %326 = shl i32 %325, 4
  %327 = and i32 %326, -252645136
  %328 = call i32 @llvm.arm.sxtb16(i32 %327)
  %329 = call i32 @llvm.fshr.i32(i32 %327, i32 %327, i32 8)
  %330 = call i32 @llvm.arm.sxtb16(i32 %329)
  %331 = getelementptr inbounds i8, i8* %42, i32 80
  %332 = bitcast i8* %331 to i32*
  %333 = load i32, i32* %332, align 4
  %334 = getelementptr inbounds i8, i8* %42, i32 84
  %335 = bitcast i8* %334 to i32*
  %336 = load i32, i32* %335, align 4
  %337 = call i32 @llvm.arm.smlad(i32 %328, i32 %333, i32 %294)
  %338 = call i32 @llvm.arm.smlad(i32 %330, i32 %336, i32 %337)
  %339 = and i32 %325, -252645136
  %340 = call i32 @llvm.arm.sxtb16(i32 %339)
  %341 = call i32 @llvm.fshr.i32(i32 %339, i32 %339, i32 8)
  %342 = call i32 @llvm.arm.sxtb16(i32 %341)
  %343 = getelementptr inbounds i8, i8* %42, i32 88
  %344 = bitcast i8* %343 to i32*
  %345 = load i32, i32* %344, align 4
  %346 = getelementptr inbounds i8, i8* %42, i32 92
  %347 = bitcast i8* %346 to i32*
  %348 = load i32, i32* %347, align 4
  %349 = call i32 @llvm.arm.smlad(i32 %340, i32 %345, i32 %338)
  %350 = call i32 @llvm.arm.smlad(i32 %342, i32 %348, i32 %349)
  %351 = getelementptr inbounds i8, i8* %41, i32 44
  %352 = bitcast i8* %351 to i32*
  %353 = load i32, i32* %352, align 4
  %354 = shl i32 %353, 4
  %355 = and i32 %354, -252645136
  %356 = call i32 @llvm.arm.sxtb16(i32 %355)
  %357 = call i32 @llvm.fshr.i32(i32 %355, i32 %355, i32 8)
  %358 = call i32 @llvm.arm.sxtb16(i32 %357)
  %359 = getelementptr inbounds i8, i8* %42, i32 80
  %360 = bitcast i8* %359 to i32*
  %361 = load i32, i32* %360, align 4
  %362 = getelementptr inbounds i8, i8* %42, i32 84
  %363 = bitcast i8* %362 to i32*
  %364 = load i32, i32* %363, align 4
  %365 = call i32 @llvm.arm.smlad(i32 %356, i32 %361, i32 %322)
  %366 = call i32 @llvm.arm.smlad(i32 %358, i32 %364, i32 %365)
  %367 = and i32 %353, -252645136
  %368 = call i32 @llvm.arm.sxtb16(i32 %367)
  %369 = call i32 @llvm.fshr.i32(i32 %367, i32 %367, i32 8)
  %370 = call i32 @llvm.arm.sxtb16(i32 %369)
  %371 = getelementptr inbounds i8, i8* %42, i32 88
  %372 = bitcast i8* %371 to i32*
  %373 = load i32, i32* %372, align 4
  %374 = getelementptr inbounds i8, i8* %42, i32 92
  %375 = bitcast i8* %374 to i32*
  %376 = load i32, i32* %375, align 4
  %377 = call i32 @llvm.arm.smlad(i32 %368, i32 %373, i32 %366)
  %378 = call i32 @llvm.arm.smlad(i32 %370, i32 %376, i32 %377)
  %379 = getelementptr inbounds i8, i8* %41, i32 48
  %380 = bitcast i8* %379 to i32*
  %381 = load i32, i32* %380, align 4
  %382 = shl i32 %381, 4
  %383 = and i32 %382, -252645136
  %384 = call i32 @llvm.arm.sxtb16(i32 %383)
  %385 = call i32 @llvm.fshr.i32(i32 %383, i32 %383, i32 8)
  %386 = call i32 @llvm.arm.sxtb16(i32 %385)
  %387 = getelementptr inbounds i8, i8* %42, i32 96
  %388 = bitcast i8* %387 to i32*
  %389 = load i32, i32* %388, align 4
  %390 = getelementptr inbounds i8, i8* %42, i32 100
  %391 = bitcast i8* %390 to i32*
  %392 = load i32, i32* %391, align 4
  %393 = call i32 @llvm.arm.smlad(i32 %384, i32 %389, i32 %350)
  %394 = call i32 @llvm.arm.smlad(i32 %386, i32 %392, i32 %393)
  %395 = and i32 %381, -252645136
  %396 = call i32 @llvm.arm.sxtb16(i32 %395)
  %397 = call i32 @llvm.fshr.i32(i32 %395, i32 %395, i32 8)
  %398 = call i32 @llvm.arm.sxtb16(i32 %397)
  %399 = getelementptr inbounds i8, i8* %42, i32 104
  %400 = bitcast i8* %399 to i32*
  %401 = load i32, i32* %400, align 4
  %402 = getelementptr inbounds i8, i8* %42, i32 108
  %403 = bitcast i8* %402 to i32*
  %404 = load i32, i32* %403, align 4
  %405 = call i32 @llvm.arm.smlad(i32 %396, i32 %401, i32 %394)
  %406 = call i32 @llvm.arm.smlad(i32 %398, i32 %404, i32 %405)
  %407 = getelementptr inbounds i8, i8* %41, i32 52
  %408 = bitcast i8* %407 to i32*
  %409 = load i32, i32* %408, align 4
  %410 = shl i32 %409, 4
  %411 = and i32 %410, -252645136
  %412 = call i32 @llvm.arm.sxtb16(i32 %411)
  %413 = call i32 @llvm.fshr.i32(i32 %411, i32 %411, i32 8)
  %414 = call i32 @llvm.arm.sxtb16(i32 %413)
  %415 = getelementptr inbounds i8, i8* %42, i32 96
  %416 = bitcast i8* %415 to i32*
  %417 = load i32, i32* %416, align 4
  %418 = getelementptr inbounds i8, i8* %42, i32 100
  %419 = bitcast i8* %418 to i32*
  %420 = load i32, i32* %419, align 4
  %421 = call i32 @llvm.arm.smlad(i32 %412, i32 %417, i32 %378)
  %422 = call i32 @llvm.arm.smlad(i32 %414, i32 %420, i32 %421)
  %423 = and i32 %409, -252645136
  %424 = call i32 @llvm.arm.sxtb16(i32 %423)
  %425 = call i32 @llvm.fshr.i32(i32 %423, i32 %423, i32 8)
  %426 = call i32 @llvm.arm.sxtb16(i32 %425)
  %427 = getelementptr inbounds i8, i8* %42, i32 104
  %428 = bitcast i8* %427 to i32*
  %429 = load i32, i32* %428, align 4
  %430 = getelementptr inbounds i8, i8* %42, i32 108
  %431 = bitcast i8* %430 to i32*
  %432 = load i32, i32* %431, align 4
  %433 = call i32 @llvm.arm.smlad(i32 %424, i32 %429, i32 %422)
  %434 = call i32 @llvm.arm.smlad(i32 %426, i32 %432, i32 %433)
  %435 = getelementptr inbounds i8, i8* %41, i32 56
  %436 = bitcast i8* %435 to i32*
  %437 = load i32, i32* %436, align 4
  %438 = shl i32 %437, 4
  %439 = and i32 %438, -252645136
  %440 = call i32 @llvm.arm.sxtb16(i32 %439)
  %441 = call i32 @llvm.fshr.i32(i32 %439, i32 %439, i32 8)
  %442 = call i32 @llvm.arm.sxtb16(i32 %441)
  %443 = getelementptr inbounds i8, i8* %42, i32 112
  %444 = bitcast i8* %443 to i32*
  %445 = load i32, i32* %444, align 4
  %446 = getelementptr inbounds i8, i8* %42, i32 116
  %447 = bitcast i8* %446 to i32*
  %448 = load i32, i32* %447, align 4
  %449 = call i32 @llvm.arm.smlad(i32 %440, i32 %445, i32 %406)
  %450 = call i32 @llvm.arm.smlad(i32 %442, i32 %448, i32 %449)
  %451 = and i32 %437, -252645136
  %452 = call i32 @llvm.arm.sxtb16(i32 %451)
  %453 = call i32 @llvm.fshr.i32(i32 %451, i32 %451, i32 8)
  %454 = call i32 @llvm.arm.sxtb16(i32 %453)
  %455 = getelementptr inbounds i8, i8* %42, i32 120
  %456 = bitcast i8* %455 to i32*
  %457 = load i32, i32* %456, align 4
  %458 = getelementptr inbounds i8, i8* %42, i32 124
  %459 = bitcast i8* %458 to i32*
  %460 = load i32, i32* %459, align 4
  %461 = call i32 @llvm.arm.smlad(i32 %452, i32 %457, i32 %450)
  %462 = call i32 @llvm.arm.smlad(i32 %454, i32 %460, i32 %461)
  %463 = getelementptr inbounds i8, i8* %41, i32 60
  %464 = bitcast i8* %463 to i32*
  %465 = load i32, i32* %464, align 4
  %466 = shl i32 %465, 4
  %467 = and i32 %466, -252645136
  %468 = call i32 @llvm.arm.sxtb16(i32 %467)
  %469 = call i32 @llvm.fshr.i32(i32 %467, i32 %467, i32 8)
  %470 = call i32 @llvm.arm.sxtb16(i32 %469)
  %471 = getelementptr inbounds i8, i8* %42, i32 112
  %472 = bitcast i8* %471 to i32*
  %473 = load i32, i32* %472, align 4
  %474 = getelementptr inbounds i8, i8* %42, i32 116
  %475 = bitcast i8* %474 to i32*
  %476 = load i32, i32* %475, align 4
  %477 = call i32 @llvm.arm.smlad(i32 %468, i32 %473, i32 %434)
  %478 = call i32 @llvm.arm.smlad(i32 %470, i32 %476, i32 %477)
  %479 = and i32 %465, -252645136
  %480 = call i32 @llvm.arm.sxtb16(i32 %479)
  %481 = call i32 @llvm.fshr.i32(i32 %479, i32 %479, i32 8)
  %482 = call i32 @llvm.arm.sxtb16(i32 %481)
  %483 = getelementptr inbounds i8, i8* %42, i32 120
  %484 = bitcast i8* %483 to i32*
  %485 = load i32, i32* %484, align 4
  %486 = getelementptr inbounds i8, i8* %42, i32 124
  %487 = bitcast i8* %486 to i32*
  %488 = load i32, i32* %487, align 4
  %489 = call i32 @llvm.arm.smlad(i32 %480, i32 %485, i32 %478)
  %490 = call i32 @llvm.arm.smlad(i32 %482, i32 %488, i32 %489)
  %491 = getelementptr inbounds i8, i8* %41, i32 64
  %492 = bitcast i8* %491 to i32*
  %493 = load i32, i32* %492, align 4
  %494 = shl i32 %493, 4
  %495 = and i32 %494, -252645136
  %496 = call i32 @llvm.arm.sxtb16(i32 %495)
  %497 = call i32 @llvm.fshr.i32(i32 %495, i32 %495, i32 8)
  %498 = call i32 @llvm.arm.sxtb16(i32 %497)
  %499 = getelementptr inbounds i8, i8* %42, i32 128
  %500 = bitcast i8* %499 to i32*
  %501 = load i32, i32* %500, align 4
  %502 = getelementptr inbounds i8, i8* %42, i32 132
  %503 = bitcast i8* %502 to i32*
  %504 = load i32, i32* %503, align 4
  %505 = call i32 @llvm.arm.smlad(i32 %496, i32 %501, i32 %462)
  %506 = call i32 @llvm.arm.smlad(i32 %498, i32 %504, i32 %505)
  %507 = and i32 %493, -252645136
  %508 = call i32 @llvm.arm.sxtb16(i32 %507)
  %509 = call i32 @llvm.fshr.i32(i32 %507, i32 %507, i32 8)
  %510 = call i32 @llvm.arm.sxtb16(i32 %509)
  %511 = getelementptr inbounds i8, i8* %42, i32 136
  %512 = bitcast i8* %511 to i32*
  %513 = load i32, i32* %512, align 4
  %514 = getelementptr inbounds i8, i8* %42, i32 140
  %515 = bitcast i8* %514 to i32*
  %516 = load i32, i32* %515, align 4
  %517 = call i32 @llvm.arm.smlad(i32 %508, i32 %513, i32 %506)
  %518 = call i32 @llvm.arm.smlad(i32 %510, i32 %516, i32 %517)
  %519 = getelementptr inbounds i8, i8* %41, i32 68
  %520 = bitcast i8* %519 to i32*
  %521 = load i32, i32* %520, align 4
  %522 = shl i32 %521, 4
  %523 = and i32 %522, -252645136
  %524 = call i32 @llvm.arm.sxtb16(i32 %523)
  %525 = call i32 @llvm.fshr.i32(i32 %523, i32 %523, i32 8)
  %526 = call i32 @llvm.arm.sxtb16(i32 %525)
  %527 = getelementptr inbounds i8, i8* %42, i32 128
  %528 = bitcast i8* %527 to i32*
  %529 = load i32, i32* %528, align 4
  %530 = getelementptr inbounds i8, i8* %42, i32 132
  %531 = bitcast i8* %530 to i32*
  %532 = load i32, i32* %531, align 4
  %533 = call i32 @llvm.arm.smlad(i32 %524, i32 %529, i32 %490)
  %534 = call i32 @llvm.arm.smlad(i32 %526, i32 %532, i32 %533)
  %535 = and i32 %521, -252645136
  %536 = call i32 @llvm.arm.sxtb16(i32 %535)
  %537 = call i32 @llvm.fshr.i32(i32 %535, i32 %535, i32 8)
  %538 = call i32 @llvm.arm.sxtb16(i32 %537)
  %539 = getelementptr inbounds i8, i8* %42, i32 136
  %540 = bitcast i8* %539 to i32*
  %541 = load i32, i32* %540, align 4
  %542 = getelementptr inbounds i8, i8* %42, i32 140
  %543 = bitcast i8* %542 to i32*
  %544 = load i32, i32* %543, align 4
  %545 = call i32 @llvm.arm.smlad(i32 %536, i32 %541, i32 %534)
  %546 = call i32 @llvm.arm.smlad(i32 %538, i32 %544, i32 %545)
  %547 = getelementptr inbounds i8, i8* %6, i32 0
  %548 = bitcast i8* %547 to i32*
  store i32 %518, i32* %548, align 4
  %549 = getelementptr inbounds i8, i8* %6, i32 4
  %550 = bitcast i8* %549 to i32*
  store i32 %546, i32* %550, align 4
  %551 = getelementptr inbounds i8, i8* %3, i32 %4
  %552 = getelementptr inbounds i8, i8* %6, i32 0
  %553 = bitcast i8* %552 to i32*
  %554 = load i32, i32* %553, align 4
  %555 = ashr i32 %554, 3
  %556 = sext i32 %9 to i64
  %557 = sext i32 %555 to i64
  %558 = mul i64 %557, %556
  %559 = add i64 %558, 2147483648
  %560 = ashr i64 %559, 32
  %561 = trunc i64 %560 to i32
  %562 = add i32 %561, %12
  %563 = lshr i32 %561, 31
  %564 = sub i32 %562, %563
  %565 = ashr i32 %564, %15
  %566 = call i32 @llvm.arm.ssat(i32 %565, i32 8)
  %567 = trunc i32 %566 to i8
  %568 = getelementptr inbounds i8, i8* %551, i32 0
  store i8 %567, i8* %568, align 1
  %569 = getelementptr inbounds i8, i8* %6, i32 4
  %570 = bitcast i8* %569 to i32*
  %571 = load i32, i32* %570, align 4
  %572 = ashr i32 %571, 3
  %573 = sext i32 %23 to i64
  %574 = sext i32 %572 to i64
  %575 = mul i64 %574, %573
  %576 = add i64 %575, 2147483648
  %577 = ashr i64 %576, 32
  %578 = trunc i64 %577 to i32
  %579 = add i32 %578, %26
  %580 = lshr i32 %578, 31
  %581 = sub i32 %579, %580
  %582 = ashr i32 %581, %29
  %583 = call i32 @llvm.arm.ssat(i32 %582, i32 8)
  %584 = trunc i32 %583 to i8
  %585 = getelementptr inbounds i8, i8* %551, i32 1
  store i8 %584, i8* %585, align 1
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
attributes #4 = { nounwind readonly }
