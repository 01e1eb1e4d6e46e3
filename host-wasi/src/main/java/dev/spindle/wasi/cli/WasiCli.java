package dev.spindle.wasi.cli;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.U64;
import static dev.spindle.host.abi.Wit.field;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.own;
import static dev.spindle.host.abi.Wit.record;
import static dev.spindle.host.abi.Wit.tuple;

import dev.spindle.host.abi.RecordType;
import dev.spindle.host.abi.ResourceType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.wasi.WasiVersion;
import dev.spindle.wasi.io.Pollable;
import dev.spindle.wasi.io.WasiIo;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The WASI preview 2 interfaces besides wasi:io and wasi:http that components import (the
 * preview 1 adapter and componentize-js pull them in): {@code wasi:cli} environment, exit,
 * stdio and terminal, {@code wasi:clocks} wall and monotonic clocks, {@code wasi:random}.
 * Declared at 0.2.0, which also serves every later 0.2.x. wasi:filesystem is in
 * {@link WasiFilesystem}.
 *
 * <p>The terminal interfaces say "not a terminal" (every {@code get-terminal-*} is none), as a
 * server's host should.
 */
public final class WasiCli {
    private WasiCli() {}

    private static final WasiVersion V = WasiVersion.V0_2_0;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** {@code record datetime { seconds: u64, nanoseconds: u32 }}. */
    record Datetime(long seconds, long nanoseconds) {}

    static final RecordType<Datetime> DATETIME = record("datetime",
            field("seconds", U64, Datetime::seconds),
            field("nanoseconds", U32, Datetime::nanoseconds),
            Datetime::new);

    /** The terminal resources: never handed out (no stdio is a terminal), declared for their drops. */
    public static final ResourceType<Object> TERMINAL_INPUT = ResourceType.of("terminal-input", Object.class, t -> {});
    public static final ResourceType<Object> TERMINAL_OUTPUT = ResourceType.of("terminal-output", Object.class, t -> {});

    /** A timer: ready once {@code System.nanoTime()} reaches its instant. */
    static Pollable timer(long readyAtNanos) {
        return new Pollable() {
            @Override
            public boolean ready() {
                return System.nanoTime() - readyAtNanos >= 0;
            }

            @Override
            public void block(long deadlineNanos) {
                Pollable.sleepUntil(Math.min(readyAtNanos, deadlineNanos));
            }

            @Override
            public long readyAt() {
                return readyAtNanos;
            }
        };
    }

    /** Monotonic instants count from the host's start; {@code System.nanoTime()} is offset so they start at a positive value. */
    private static final long ORIGIN = System.nanoTime() - 1;

    public static List<WitInterface<CliState>> interfaces() {
        List<WitInterface<CliState>> out = new ArrayList<>();
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/environment"))
                .func("get-environment", list(tuple(STRING, STRING)), s -> List.copyOf(s.environment().entrySet()))
                .func("get-arguments", list(STRING), CliState::arguments)
                .func("initial-cwd", option(STRING), s -> s.files().isPresent() ? Optional.of("/") : Optional.<String>empty())
                .build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/exit"))
                .action("exit", param("status", Wit.result()), (s, status) -> {
                    throw new GuestExitException(status.isOk() ? 0 : 1);
                })
                .build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/stdin"))
                .func("get-stdin", own(WasiIo.INPUT_STREAM), s -> s.stdin().get()).build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/stdout"))
                .func("get-stdout", own(WasiIo.OUTPUT_STREAM), s -> s.stdout().get()).build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/stderr"))
                .func("get-stderr", own(WasiIo.OUTPUT_STREAM), s -> s.stderr().get()).build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/terminal-input")).resource(TERMINAL_INPUT).build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/terminal-output")).resource(TERMINAL_OUTPUT).build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/terminal-stdin"))
                .func("get-terminal-stdin", option(own(TERMINAL_INPUT)), s -> Optional.empty()).build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/terminal-stdout"))
                .func("get-terminal-stdout", option(own(TERMINAL_OUTPUT)), s -> Optional.empty()).build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:cli/terminal-stderr"))
                .func("get-terminal-stderr", option(own(TERMINAL_OUTPUT)), s -> Optional.empty()).build());

        out.add(WitInterface.<CliState>builder(V.module("wasi:clocks/wall-clock"))
                .func("now", DATETIME, s -> {
                    Instant now = Instant.now();
                    return new Datetime(now.getEpochSecond(), now.getNano());
                })
                .func("resolution", DATETIME, s -> new Datetime(0, 1000))
                .build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:clocks/monotonic-clock"))
                .func("now", U64, s -> System.nanoTime() - ORIGIN)
                .func("resolution", U64, s -> 1L)
                .func("subscribe-instant", param("when", U64), own(WasiIo.POLLABLE), (s, when) -> timer(ORIGIN + when))
                .func("subscribe-duration", param("when", U64), own(WasiIo.POLLABLE),
                        (s, when) -> timer(System.nanoTime() + Math.min(when, Long.MAX_VALUE / 4)))
                .build());

        out.add(WitInterface.<CliState>builder(V.module("wasi:random/random"))
                .func("get-random-bytes", param("len", U64), BYTES, (s, len) -> randomBytes(RANDOM::nextBytes, len))
                .func("get-random-u64", U64, s -> RANDOM.nextLong())
                .build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:random/insecure"))
                .func("get-insecure-random-bytes", param("len", U64), BYTES,
                        (s, len) -> randomBytes(b -> new SplittableRandom(RANDOM.nextLong()).nextBytes(b), len))
                .func("get-insecure-random-u64", U64, s -> new SplittableRandom(RANDOM.nextLong()).nextLong())
                .build());
        out.add(WitInterface.<CliState>builder(V.module("wasi:random/insecure-seed"))
                .func("insecure-seed", tuple(U64, U64), s -> Map.entry(RANDOM.nextLong(), RANDOM.nextLong()))
                .build());
        return out;
    }

    /** Most random bytes one call hands over; the WIT lets the host refuse more than it wants to allocate. */
    static final int MAX_RANDOM_BYTES = 1 << 20;

    private static byte[] randomBytes(java.util.function.Consumer<byte[]> fill, long len) {
        if (len < 0 || len > MAX_RANDOM_BYTES) {
            throw new dev.spindle.host.GuestTrapException("get-random-bytes of " + Long.toUnsignedString(len)
                    + " bytes exceeds the host's limit of " + MAX_RANDOM_BYTES);
        }
        byte[] b = new byte[(int) len];
        fill.accept(b);
        return b;
    }
}
