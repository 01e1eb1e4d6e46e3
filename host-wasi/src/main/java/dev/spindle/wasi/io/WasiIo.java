package dev.spindle.wasi.io;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BOOL;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.U64;
import static dev.spindle.host.abi.Wit.borrow;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.own;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.resultErr;

import dev.spindle.host.abi.ListType;
import dev.spindle.host.abi.ResourceType;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.ResultType;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.wasi.WasiVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * wasi:io ({@code error}, {@code poll}, {@code streams}) declared from its WIT, for every
 * {@link WasiVersion}. The resources are shared by every interface that hands out streams and
 * pollables (wasi:http bodies, wasi:cli's stdio, wasi:clocks' timers), through the one resource
 * table of the instance.
 *
 * <p>In rc-2023-10-18 the stream {@code error} resource lives in {@code streams}, {@code poll}
 * has {@code poll-list}/{@code poll-one} instead of {@code poll} and pollable methods, and
 * {@code splice}/{@code forward} take the source stream by ownership.
 */
public final class WasiIo {
    private WasiIo() {}

    public static final ResourceType<HostInputStream> INPUT_STREAM =
            ResourceType.of("input-stream", HostInputStream.class, HostInputStream::close);
    public static final ResourceType<HostOutputStream> OUTPUT_STREAM =
            ResourceType.of("output-stream", HostOutputStream.class, HostOutputStream::close);
    public static final ResourceType<Pollable> POLLABLE = ResourceType.of("pollable", Pollable.class, p -> {});
    public static final ResourceType<IoError> ERROR = ResourceType.of("error", IoError.class, e -> {});

    /** {@code variant stream-error { last-operation-failed(own<error>), closed }} as {@link StreamException}. */
    public static final VariantType<StreamException> STREAM_ERROR = dev.spindle.host.abi.Wit.variant("stream-error",
            new VariantType.Case<StreamException, IoError>("last-operation-failed", own(ERROR),
                    e -> !((StreamException) e).isClosed(), StreamException::failed, StreamException::failure),
            new VariantType.Case<StreamException, Void>("closed", null,
                    e -> ((StreamException) e).isClosed(), v -> StreamException.closed(), e -> null));

    static final ResultType<byte[], StreamException> READ = result(BYTES, STREAM_ERROR);
    static final ResultType<Long, StreamException> COUNT = result(U64, STREAM_ERROR);
    static final ResultType<Void, StreamException> DONE = resultErr(STREAM_ERROR);
    static final ListType<Long> INDICES = list(U32);

    /** A pollable to hand the guest: a new representation per handle (the table keys handles by it). */
    public static Pollable handle(Pollable p) {
        return new Pollable() {
            @Override
            public boolean ready() {
                return p.ready();
            }

            @Override
            public void block(long deadlineNanos) {
                p.block(deadlineNanos);
            }

            @Override
            public long readyAt() {
                return p.readyAt();
            }
        };
    }

    /** Every wasi:io interface of {@code version}. */
    public static List<WitInterface<Void>> interfaces(WasiVersion version) {
        List<WitInterface<Void>> out = new ArrayList<>();
        boolean rc1018 = version == WasiVersion.RC_2023_10_18;
        if (!rc1018) {
            out.add(WitInterface.<Void>builder(version.module("wasi:io/error"))
                    .resource(ERROR)
                    .func("[method]error.to-debug-string", param("self", borrow(ERROR)), STRING, (s, e) -> e.message())
                    .build());
        }
        out.add(poll(version));
        out.add(streams(version));
        return out;
    }

    private static WitInterface<Void> poll(WasiVersion version) {
        WitInterface.Builder<Void> b = WitInterface.<Void>builder(version.module("wasi:io/poll")).resource(POLLABLE);
        if (version == WasiVersion.RC_2023_10_18) {
            b.func("poll-list", param("in", list(borrow(POLLABLE))), INDICES, (s, in) -> indices(Poll.poll(in)));
            b.action("poll-one", param("in", borrow(POLLABLE)), (s, p) -> Poll.poll(List.of(p)));
        } else {
            b.func("[method]pollable.ready", param("self", borrow(POLLABLE)), BOOL, (s, p) -> p.ready());
            b.action("[method]pollable.block", param("self", borrow(POLLABLE)), (s, p) -> Poll.poll(List.of(p)));
            b.func("poll", param("in", list(borrow(POLLABLE))), INDICES, (s, in) -> indices(Poll.poll(in)));
        }
        return b.build();
    }

    private static List<Long> indices(int[] ready) {
        List<Long> out = new ArrayList<>(ready.length);
        for (int i : ready) {
            out.add((long) i);
        }
        return out;
    }

    private static WitInterface<Void> streams(WasiVersion version) {
        boolean rc1018 = version == WasiVersion.RC_2023_10_18;
        WitInterface.Builder<Void> b = WitInterface.<Void>builder(version.module("wasi:io/streams"));
        if (rc1018) {
            b.resource(ERROR);
            b.func("[method]error.to-debug-string", param("self", borrow(ERROR)), STRING, (s, e) -> e.message());
        }
        b.resource(INPUT_STREAM).resource(OUTPUT_STREAM);
        var in = param("self", borrow(INPUT_STREAM));
        var out = param("self", borrow(OUTPUT_STREAM));
        var len = param("len", U64);
        b.func("[method]input-stream.read", in, len, READ,
                (s, stream, n) -> io(() -> stream.read(HostInputStream.clamp(n))));
        b.func("[method]input-stream.blocking-read", in, len, READ,
                (s, stream, n) -> io(() -> stream.blockingRead(HostInputStream.clamp(n))));
        b.func("[method]input-stream.skip", in, len, COUNT, (s, stream, n) -> io(() -> stream.skip(n)));
        b.func("[method]input-stream.blocking-skip", in, len, COUNT, (s, stream, n) -> io(() -> stream.blockingSkip(n)));
        b.func("[method]input-stream.subscribe", in, own(POLLABLE), (s, stream) -> handle(stream.subscribe()));

        b.func("[method]output-stream.check-write", out, COUNT, (s, stream) -> io(stream::checkWrite));
        b.func("[method]output-stream.write", out, param("contents", BYTES), DONE,
                (s, stream, bytes) -> done(() -> stream.write(bytes)));
        b.func("[method]output-stream.blocking-write-and-flush", out, param("contents", BYTES), DONE,
                (s, stream, bytes) -> done(() -> stream.blockingWriteAndFlush(bytes)));
        b.func("[method]output-stream.flush", out, DONE, (s, stream) -> done(stream::flush));
        b.func("[method]output-stream.blocking-flush", out, DONE, (s, stream) -> done(stream::blockingFlush));
        b.func("[method]output-stream.subscribe", out, own(POLLABLE), (s, stream) -> handle(stream.subscribe()));
        b.func("[method]output-stream.write-zeroes", out, len, DONE, (s, stream, n) -> done(() -> stream.writeZeroes(n)));
        b.func("[method]output-stream.blocking-write-zeroes-and-flush", out, len, DONE,
                (s, stream, n) -> done(() -> stream.blockingWriteZeroesAndFlush(n)));
        if (rc1018) {
            // rc-2023-10-18 takes the source by ownership: it is closed once the call is done.
            var src = param("src", own(INPUT_STREAM));
            b.func("[method]output-stream.splice", out, src, len, COUNT,
                    (s, stream, source, n) -> closing(source, () -> stream.splice(source, n)));
            b.func("[method]output-stream.blocking-splice", out, src, len, COUNT,
                    (s, stream, source, n) -> closing(source, () -> stream.blockingSplice(source, n)));
            b.func("[method]output-stream.forward", out, src, COUNT,
                    (s, stream, source) -> closing(source, () -> stream.forward(source)));
        } else {
            var src = param("src", borrow(INPUT_STREAM));
            b.func("[method]output-stream.splice", out, src, len, COUNT, (s, stream, source, n) -> io(() -> stream.splice(source, n)));
            b.func("[method]output-stream.blocking-splice", out, src, len, COUNT,
                    (s, stream, source, n) -> io(() -> stream.blockingSplice(source, n)));
        }
        return b.build();
    }

    /** A stream operation that produces a value. */
    @FunctionalInterface
    interface Op<T> {
        T run() throws StreamException;
    }

    /** A stream operation without a value. */
    @FunctionalInterface
    interface Act {
        void run() throws StreamException;
    }

    static <T> Result<T, StreamException> io(Op<T> op) {
        try {
            return Result.ok(op.run());
        } catch (StreamException e) {
            return Result.err(e);
        }
    }

    static Result<Void, StreamException> done(Act op) {
        try {
            op.run();
            return Result.ok();
        } catch (StreamException e) {
            return Result.err(e);
        }
    }

    private static <T> Result<T, StreamException> closing(HostInputStream source, Op<T> op) {
        try {
            return io(op);
        } finally {
            source.close();
        }
    }
}
