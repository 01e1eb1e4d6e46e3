;; split-dispatch: a function shaped like a bytecode interpreter's dispatch loop (a loop around
;; a br_table over nested blocks; cases that continue, leave with a value, return early, call out,
;; store to memory and a global, use i64 and f64 locals, multi-value blocks, an if and a loop with
;; parameters), made a few KB large by straight-line filler. FunctionSplitterTest splits it with
;; small limits and checks that the pieces compute exactly what the whole function did.
;; Exports: memory; run(n: i32, seed: i64) -> i32, which runs n dispatch steps; global "g".
;; Memory map: 64..1087 a table of 256 i32s the steps write.
(module
  (type $pair (func (result i32 i32)))
  (memory (export "memory") 1)
  (global $g (export "g") (mut i32) (i32.const 0))
  (func $mix (param i32) (result i32)
    local.get 0 i32.const 0x9e3779b1 i32.mul i32.const 15 i32.rotl)
  (func (export "run") (param $n i32) (param $seed i64) (result i32)
    (local $acc i32) (local $i i32) (local $x i64) (local $f f64) (local $t i32)
    block $done (result i32)
      loop $next
        ;; i++; past n: leave with a value (an exit carrying an i32)
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.gt_u
        if
          local.get $acc global.get $g i32.xor
          br $done
        end
        block $c6 block $c5 block $c4 block $c3 block $c2 block $c1 block $c0
          local.get $acc local.get $i i32.add i32.const 7 i32.rem_u
          br_table $c0 $c1 $c2 $c3 $c4 $c5 $c6 $c6
        end ;; $c0: filler, continue
        local.get $acc i32.const 7919 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 112648 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 217377 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 322106 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 426835 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 531564 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 636293 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 741022 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 845751 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 950480 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 1055209 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc i32.const 1159938 i32.add i32.const 12 i32.rotl local.set $acc
        local.get $acc i32.const 1264667 i32.add i32.const 13 i32.rotl local.set $acc
        local.get $acc i32.const 1369396 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 1474125 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 1578854 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 1683583 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 1788312 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 1893041 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 1997770 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 2102499 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 2207228 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 2311957 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 2416686 i32.add i32.const 11 i32.rotl local.set $acc
        br $next
        end ;; $c1: i64 work
        local.get $x local.get $seed i64.add i64.const 6364136223846793005 i64.mul local.set $x
        local.get $acc i32.const 15838 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 120567 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 225296 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 330025 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 434754 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 539483 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 644212 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 748941 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 853670 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 958399 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 1063128 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc i32.const 1167857 i32.add i32.const 12 i32.rotl local.set $acc
        local.get $acc i32.const 1272586 i32.add i32.const 13 i32.rotl local.set $acc
        local.get $acc i32.const 1377315 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 1482044 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 1586773 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 1691502 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 1796231 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 1900960 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 2005689 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 2110418 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 2215147 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 2319876 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 2424605 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc local.get $x i64.const 33 i64.shr_u i32.wrap_i64 i32.add local.set $acc
        br $next
        end ;; $c2: memory, a global, a call, a br_if that continues
        i32.const 64 local.get $i i32.const 255 i32.and i32.const 2 i32.shl i32.add
        local.get $acc i32.store
        local.get $acc i32.const 23757 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 128486 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 233215 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 337944 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 442673 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 547402 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 652131 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 756860 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 861589 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 966318 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 1071047 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc i32.const 1175776 i32.add i32.const 12 i32.rotl local.set $acc
        local.get $acc i32.const 1280505 i32.add i32.const 13 i32.rotl local.set $acc
        local.get $acc i32.const 1385234 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 1489963 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 1594692 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 1699421 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 1804150 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 1908879 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 2013608 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 2118337 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 2223066 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 2327795 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 2432524 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc call $mix global.get $g i32.add global.set $g
        local.get $acc i32.const 1 i32.and br_if $next
        local.get $acc i32.const 7 i32.add local.set $acc
        br $next
        end ;; $c3: a multi-value block, an if with a parameter, select
        block $pv (type $pair)
          local.get $acc
          local.get $i
        end
        i32.add
        local.get $i i32.const 3 i32.and
        if (param i32) (result i32)
        local.get $t i32.const 31676 i32.add i32.const 1 i32.rotl local.set $t
        local.get $t i32.const 136405 i32.add i32.const 2 i32.rotl local.set $t
        local.get $t i32.const 241134 i32.add i32.const 3 i32.rotl local.set $t
        local.get $t i32.const 345863 i32.add i32.const 4 i32.rotl local.set $t
        local.get $t i32.const 450592 i32.add i32.const 5 i32.rotl local.set $t
        local.get $t i32.const 555321 i32.add i32.const 6 i32.rotl local.set $t
        local.get $t i32.const 660050 i32.add i32.const 7 i32.rotl local.set $t
        local.get $t i32.const 764779 i32.add i32.const 8 i32.rotl local.set $t
        local.get $t i32.const 869508 i32.add i32.const 9 i32.rotl local.set $t
        local.get $t i32.const 974237 i32.add i32.const 10 i32.rotl local.set $t
        local.get $t i32.const 1078966 i32.add i32.const 11 i32.rotl local.set $t
        local.get $t i32.const 1183695 i32.add i32.const 12 i32.rotl local.set $t
          local.get $t i32.add
        else
          i32.const 0x55aa i32.xor
        end
        local.set $acc
        local.get $acc i32.const 39595 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 144324 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 249053 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 353782 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 458511 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 563240 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 667969 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 772698 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 877427 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 982156 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 1086885 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc i32.const 1191614 i32.add i32.const 12 i32.rotl local.set $acc
        local.get $acc i32.const 1296343 i32.add i32.const 13 i32.rotl local.set $acc
        local.get $acc i32.const 1401072 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 1505801 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 1610530 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 1715259 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 1819988 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 1924717 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 2029446 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 2134175 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 2238904 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 2343633 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 2448362 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc local.get $t local.get $i i32.const 1 i32.and select local.set $t
        br $next
        end ;; $c4: an early return with a value, and a br_if leaving with one
        local.get $acc i32.const 0x7ff00000 i32.and i32.const 0x7ff00000 i32.eq
        if
          local.get $acc i32.const 3 i32.mul
          return
        end
        local.get $acc i32.const 47514 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 152243 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 256972 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 361701 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 466430 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 571159 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 675888 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 780617 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 885346 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 990075 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 1094804 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc i32.const 1199533 i32.add i32.const 12 i32.rotl local.set $acc
        local.get $acc i32.const 1304262 i32.add i32.const 13 i32.rotl local.set $acc
        local.get $acc i32.const 1408991 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 1513720 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 1618449 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 1723178 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 1827907 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 1932636 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 2037365 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 2142094 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 2246823 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 2351552 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 2456281 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc i32.const 0xffff i32.and
        local.get $acc i32.const 0x00fff000 i32.and i32.eqz
        br_if $done
        drop
        br $next
        end ;; $c5: f64 work and a loop with a parameter
        local.get $f local.get $acc f64.convert_i32_u f64.add f64.const 0.5 f64.mul local.set $f
        local.get $acc
        loop $spin (param i32) (result i32)
          i32.const 1 i32.add
          local.tee $t
          local.get $t
          i32.const 5 i32.rem_u
          br_if $spin
        end
        local.set $acc
        local.get $acc i32.const 55433 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 160162 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 264891 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 369620 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 474349 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 579078 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 683807 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 788536 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 893265 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 997994 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 1102723 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc i32.const 1207452 i32.add i32.const 12 i32.rotl local.set $acc
        local.get $acc i32.const 1312181 i32.add i32.const 13 i32.rotl local.set $acc
        local.get $acc i32.const 1416910 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 1521639 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 1626368 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 1731097 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 1835826 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 1940555 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 2045284 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 2150013 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 2254742 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 2359471 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 2464200 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc local.get $f i32.trunc_sat_f64_u i32.xor local.set $acc
        br $next
        end ;; $c6: nested dispatch: an inner loop whose cases branch out of two levels
        i32.const 0 local.set $t
        block $inner_done
          loop $inner
            local.get $t i32.const 1 i32.add local.tee $t
            i32.const 4 i32.gt_u br_if $inner_done
            block $k1 block $k0
              local.get $acc local.get $t i32.add i32.const 2 i32.rem_u
              br_table $k0 $k1
            end
        local.get $acc i32.const 63352 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 168081 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 272810 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 377539 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 482268 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 586997 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 691726 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 796455 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 901184 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 1005913 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 1110642 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc i32.const 1215371 i32.add i32.const 12 i32.rotl local.set $acc
            br $inner
            end
        local.get $acc i32.const 71271 i32.add i32.const 1 i32.rotl local.set $acc
        local.get $acc i32.const 176000 i32.add i32.const 2 i32.rotl local.set $acc
        local.get $acc i32.const 280729 i32.add i32.const 3 i32.rotl local.set $acc
        local.get $acc i32.const 385458 i32.add i32.const 4 i32.rotl local.set $acc
        local.get $acc i32.const 490187 i32.add i32.const 5 i32.rotl local.set $acc
        local.get $acc i32.const 594916 i32.add i32.const 6 i32.rotl local.set $acc
        local.get $acc i32.const 699645 i32.add i32.const 7 i32.rotl local.set $acc
        local.get $acc i32.const 804374 i32.add i32.const 8 i32.rotl local.set $acc
        local.get $acc i32.const 909103 i32.add i32.const 9 i32.rotl local.set $acc
        local.get $acc i32.const 1013832 i32.add i32.const 10 i32.rotl local.set $acc
        local.get $acc i32.const 1118561 i32.add i32.const 11 i32.rotl local.set $acc
        local.get $acc i32.const 1223290 i32.add i32.const 12 i32.rotl local.set $acc
            local.get $acc i32.const 0x1000000 i32.gt_u br_if $next
            br $inner
          end
        end
        br $next
      end
      unreachable
    end)
)
