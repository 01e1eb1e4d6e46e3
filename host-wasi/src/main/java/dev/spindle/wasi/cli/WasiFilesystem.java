package dev.spindle.wasi.cli;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BOOL;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U64;
import static dev.spindle.host.abi.Wit.borrow;
import static dev.spindle.host.abi.Wit.field;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.own;
import static dev.spindle.host.abi.Wit.record;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.resultErr;
import static dev.spindle.host.abi.Wit.tuple;

import dev.spindle.host.abi.EnumType;
import dev.spindle.host.abi.FlagsType;
import dev.spindle.host.abi.RecordType;
import dev.spindle.host.abi.ResourceType;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.wasi.WasiVersion;
import dev.spindle.wasi.io.HostInputStream;
import dev.spindle.wasi.io.HostOutputStream;
import dev.spindle.wasi.io.InputStreamSource;
import dev.spindle.wasi.io.WasiIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code wasi:filesystem/types} and {@code preopens} at 0.2.0 over a component's files: its
 * {@code files} mount (an in-memory, read-only snapshot) is the one preopen, {@code /}; without
 * files there is none. Reading works (stat, open, read, streams, directory listings, metadata
 * hashes); everything that would change the tree answers {@code read-only}, and writes through a
 * file descriptor answer {@code bad-descriptor}, as on a read-only mount. Paths stay inside the
 * preopen: absolute paths and {@code ..} that climb out answer {@code not-permitted}.
 */
public final class WasiFilesystem {
    private WasiFilesystem() {}

    /** {@code error-code}, in WIT order (the constant names map to its labels). */
    public enum FsError {
        ACCESS, WOULD_BLOCK, ALREADY, BAD_DESCRIPTOR, BUSY, DEADLOCK, QUOTA, EXIST, FILE_TOO_LARGE, ILLEGAL_BYTE_SEQUENCE,
        IN_PROGRESS, INTERRUPTED, INVALID, IO, IS_DIRECTORY, LOOP, TOO_MANY_LINKS, MESSAGE_SIZE, NAME_TOO_LONG, NO_DEVICE,
        NO_ENTRY, NO_LOCK, INSUFFICIENT_MEMORY, INSUFFICIENT_SPACE, NOT_DIRECTORY, NOT_EMPTY, NOT_RECOVERABLE, UNSUPPORTED,
        NO_TTY, NO_SUCH_DEVICE, OVERFLOW, NOT_PERMITTED, PIPE, READ_ONLY, INVALID_SEEK, TEXT_FILE_BUSY, CROSS_DEVICE
    }

    /** {@code descriptor-type}, in WIT order. */
    public enum DescriptorType { UNKNOWN, BLOCK_DEVICE, CHARACTER_DEVICE, DIRECTORY, FIFO, SYMBOLIC_LINK, REGULAR_FILE, SOCKET }

    /** An open file or directory of the mount. */
    public static final class Descriptor {
        final Path root;
        final Path path;

        Descriptor(Path root, Path path) {
            this.root = root;
            this.path = path;
        }
    }

    /** A directory listing being read. */
    static final class EntryStream {
        final Iterator<Path> entries;
        final DirectoryStream<Path> stream;

        EntryStream(DirectoryStream<Path> stream) {
            this.stream = stream;
            this.entries = stream.iterator();
        }

        void close() {
            try {
                stream.close();
            } catch (IOException ignored) {
                // a listing of an in-memory tree has nothing to release
            }
        }
    }

    public static final ResourceType<Descriptor> DESCRIPTOR = ResourceType.of("descriptor", Descriptor.class, d -> {});
    static final ResourceType<EntryStream> ENTRY_STREAM =
            ResourceType.of("directory-entry-stream", EntryStream.class, EntryStream::close);

    static final EnumType<FsError> ERROR_CODE = Wit.enumOf("error-code", FsError.class);
    static final EnumType<DescriptorType> DESCRIPTOR_TYPE = Wit.enumOf("descriptor-type", DescriptorType.class);
    static final FlagsType DESCRIPTOR_FLAGS = Wit.flags("descriptor-flags", "read", "write", "file-integrity-sync",
            "data-integrity-sync", "requested-write-sync", "mutate-directory");
    static final FlagsType PATH_FLAGS = Wit.flags("path-flags", "symlink-follow");
    static final FlagsType OPEN_FLAGS = Wit.flags("open-flags", "create", "directory", "exclusive", "truncate");
    static final EnumType<Integer> ADVICE = Wit.enumIndex("advice", "normal", "sequential", "random", "will-need",
            "dont-need", "no-reuse");

    record Stat(DescriptorType type, long linkCount, long size, Optional<WasiCli.Datetime> accessed,
                Optional<WasiCli.Datetime> modified, Optional<WasiCli.Datetime> changed) {}

    static final RecordType<Stat> STAT = record("descriptor-stat", List.of(
                    field("type", DESCRIPTOR_TYPE, Stat::type),
                    field("link-count", U64, Stat::linkCount),
                    field("size", U64, Stat::size),
                    field("data-access-timestamp", option(WasiCli.DATETIME), Stat::accessed),
                    field("data-modification-timestamp", option(WasiCli.DATETIME), Stat::modified),
                    field("status-change-timestamp", option(WasiCli.DATETIME), Stat::changed)),
            v -> new Stat((DescriptorType) v[0], (Long) v[1], (Long) v[2], cast(v[3]), cast(v[4]), cast(v[5])));

    @SuppressWarnings("unchecked")
    private static Optional<WasiCli.Datetime> cast(Object o) {
        return (Optional<WasiCli.Datetime>) o;
    }

    /** {@code variant new-timestamp { no-change, now, timestamp(datetime) }}: read and ignored (the mount is read-only). */
    static final VariantType<Object> NEW_TIMESTAMP = Wit.variant("new-timestamp",
            new VariantType.Case<Object, Void>("no-change", null, v -> "no-change".equals(v), v -> "no-change", v -> null),
            new VariantType.Case<Object, Void>("now", null, v -> "now".equals(v), v -> "now", v -> null),
            new VariantType.Case<Object, WasiCli.Datetime>("timestamp", WasiCli.DATETIME, v -> v instanceof WasiCli.Datetime,
                    d -> d, v -> (WasiCli.Datetime) v));

    record Entry(DescriptorType type, String name) {}

    static final RecordType<Entry> DIRECTORY_ENTRY = record("directory-entry",
            field("type", DESCRIPTOR_TYPE, Entry::type), field("name", STRING, Entry::name), Entry::new);

    record Hash(long lower, long upper) {}

    static final RecordType<Hash> HASH = record("metadata-hash-value",
            field("lower", U64, Hash::lower), field("upper", U64, Hash::upper), Hash::new);

    private static final Result<Void, FsError> READ_ONLY = Result.err(FsError.READ_ONLY);

    public static List<WitInterface<CliState>> interfaces() {
        WasiVersion v = WasiVersion.V0_2_0;
        WitInterface.Builder<CliState> b = WitInterface.<CliState>builder(v.module("wasi:filesystem/types"))
                .resource(DESCRIPTOR).resource(ENTRY_STREAM);
        var self = param("self", borrow(DESCRIPTOR));
        var size = param("offset", U64);
        var path = param("path", STRING);
        var pathFlags = param("path-flags", PATH_FLAGS);
        var done = resultErr(ERROR_CODE);
        b.func("[method]descriptor.read-via-stream", self, size, result(own(WasiIo.INPUT_STREAM), ERROR_CODE),
                (s, d, offset) -> readStream(d, offset));
        b.func("[method]descriptor.write-via-stream", self, size, result(own(WasiIo.OUTPUT_STREAM), ERROR_CODE),
                (s, d, offset) -> Result.<HostOutputStream, FsError>err(FsError.BAD_DESCRIPTOR));
        b.func("[method]descriptor.append-via-stream", self, result(own(WasiIo.OUTPUT_STREAM), ERROR_CODE),
                (s, d) -> Result.<HostOutputStream, FsError>err(FsError.BAD_DESCRIPTOR));
        b.func("[method]descriptor.advise", self, size, param("length", U64), param("advice", ADVICE), done,
                (s, d, o, l, a) -> Result.<Void, FsError>ok());
        b.func("[method]descriptor.sync-data", self, done, (s, d) -> Result.<Void, FsError>ok());
        b.func("[method]descriptor.get-flags", self, result(DESCRIPTOR_FLAGS, ERROR_CODE), (s, d) -> Result.<Integer, FsError>ok(1));
        b.func("[method]descriptor.get-type", self, result(DESCRIPTOR_TYPE, ERROR_CODE), (s, d) -> fs(() -> type(d.path)));
        b.func("[method]descriptor.set-size", self, param("size", U64), done, (s, d, n) -> READ_ONLY);
        b.func("[method]descriptor.set-times", self, param("data-access-timestamp", NEW_TIMESTAMP),
                param("data-modification-timestamp", NEW_TIMESTAMP), done, (s, d, a, m) -> READ_ONLY);
        b.func("[method]descriptor.read", self, param("length", U64), size, result(tuple(BYTES, BOOL), ERROR_CODE),
                (s, d, length, offset) -> fs(() -> read(d, length, offset)));
        b.func("[method]descriptor.write", self, param("buffer", BYTES), size, result(U64, ERROR_CODE),
                (s, d, buf, offset) -> Result.<Long, FsError>err(FsError.BAD_DESCRIPTOR));
        b.func("[method]descriptor.read-directory", self, result(own(ENTRY_STREAM), ERROR_CODE),
                (s, d) -> fs(() -> new EntryStream(Files.newDirectoryStream(d.path))));
        b.func("[method]descriptor.sync", self, done, (s, d) -> Result.<Void, FsError>ok());
        b.func("[method]descriptor.create-directory-at", self, path, done, (s, d, p) -> READ_ONLY);
        b.func("[method]descriptor.stat", self, result(STAT, ERROR_CODE), (s, d) -> fs(() -> stat(d.path)));
        b.func("[method]descriptor.stat-at", self, pathFlags, path, result(STAT, ERROR_CODE),
                (s, d, f, p) -> fs(() -> stat(resolve(d, p))));
        b.func("[method]descriptor.set-times-at", self, pathFlags, path, param("data-access-timestamp", NEW_TIMESTAMP),
                param("data-modification-timestamp", NEW_TIMESTAMP), done, (s, d, f, p, a, m) -> READ_ONLY);
        b.func("[method]descriptor.link-at", self, param("old-path-flags", PATH_FLAGS), param("old-path", STRING),
                param("new-descriptor", borrow(DESCRIPTOR)), param("new-path", STRING), done, (s, d, f, p, nd, np) -> READ_ONLY);
        b.func("[method]descriptor.open-at", self, pathFlags, path, param("open-flags", OPEN_FLAGS),
                param("flags", DESCRIPTOR_FLAGS), result(own(DESCRIPTOR), ERROR_CODE),
                (s, d, f, p, open, flags) -> openAt(d, p, open, flags));
        b.func("[method]descriptor.readlink-at", self, path, result(STRING, ERROR_CODE),
                (s, d, p) -> Result.<String, FsError>err(FsError.INVALID));
        b.func("[method]descriptor.remove-directory-at", self, path, done, (s, d, p) -> READ_ONLY);
        b.func("[method]descriptor.rename-at", self, param("old-path", STRING), param("new-descriptor", borrow(DESCRIPTOR)),
                param("new-path", STRING), done, (s, d, p, nd, np) -> READ_ONLY);
        b.func("[method]descriptor.symlink-at", self, param("old-path", STRING), param("new-path", STRING), done,
                (s, d, p, np) -> READ_ONLY);
        b.func("[method]descriptor.unlink-file-at", self, path, done, (s, d, p) -> READ_ONLY);
        b.func("[method]descriptor.is-same-object", self, param("other", borrow(DESCRIPTOR)), BOOL,
                (s, d, o) -> d.path.equals(o.path));
        b.func("[method]descriptor.metadata-hash", self, result(HASH, ERROR_CODE), (s, d) -> fs(() -> hash(d.path)));
        b.func("[method]descriptor.metadata-hash-at", self, pathFlags, path, result(HASH, ERROR_CODE),
                (s, d, f, p) -> fs(() -> hash(resolve(d, p))));
        b.func("[method]directory-entry-stream.read-directory-entry", param("self", borrow(ENTRY_STREAM)),
                result(option(DIRECTORY_ENTRY), ERROR_CODE), (s, e) -> fs(() -> nextEntry(e)));
        b.func("filesystem-error-code", param("err", borrow(WasiIo.ERROR)), option(ERROR_CODE),
                (s, e) -> e.detail() instanceof FsError fe ? Optional.of(fe) : Optional.<FsError>empty());

        WitInterface<CliState> preopens = WitInterface.<CliState>builder(v.module("wasi:filesystem/preopens"))
                .func("get-directories", list(tuple(own(DESCRIPTOR), STRING)), s -> s.files()
                        .map(root -> List.of(Map.entry(new Descriptor(root, root), "/")))
                        .orElse(List.of()))
                .build();
        return List.of(b.build(), preopens);
    }

    @FunctionalInterface
    interface FsOp<T> {
        T run() throws IOException, Failure;
    }

    /** A refused operation with its error code. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final FsError error;

        Failure(FsError error) {
            super(error.name(), null, false, false);
            this.error = error;
        }
    }

    static <T> Result<T, FsError> fs(FsOp<T> op) {
        try {
            return Result.ok(op.run());
        } catch (Failure f) {
            return Result.err(f.error);
        } catch (NoSuchFileException e) {
            return Result.err(FsError.NO_ENTRY);
        } catch (NotDirectoryException e) {
            return Result.err(FsError.NOT_DIRECTORY);
        } catch (IOException | UnsupportedOperationException e) {
            return Result.err(FsError.IO);
        }
    }

    /** Resolves a guest path under the descriptor, refusing anything that leaves the preopen. */
    static Path resolve(Descriptor d, String guestPath) throws Failure {
        if (guestPath.startsWith("/") || guestPath.indexOf('\0') >= 0) {
            throw new Failure(FsError.NOT_PERMITTED);
        }
        Path p = d.path.resolve(guestPath).normalize();
        if (!p.startsWith(d.root)) {
            throw new Failure(FsError.NOT_PERMITTED);
        }
        return p;
    }

    private static Result<Descriptor, FsError> openAt(Descriptor d, String guestPath, int openFlags, int flags) {
        return fs(() -> {
            Path p = resolve(d, guestPath);
            boolean wantsWrite = (flags & 0b10) != 0 || (flags & 0b100000) != 0;
            boolean creates = (openFlags & 0b1) != 0 || (openFlags & 0b1000) != 0;
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new Failure(creates ? FsError.READ_ONLY : FsError.NO_ENTRY);
            }
            if ((openFlags & 0b100) != 0) {
                throw new Failure(FsError.EXIST);
            }
            if (wantsWrite || creates) {
                throw new Failure(FsError.READ_ONLY);
            }
            if ((openFlags & 0b10) != 0 && !Files.isDirectory(p)) {
                throw new Failure(FsError.NOT_DIRECTORY);
            }
            return new Descriptor(d.root, p);
        });
    }

    private static DescriptorType type(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.isDirectory() ? DescriptorType.DIRECTORY : a.isRegularFile() ? DescriptorType.REGULAR_FILE
                : a.isSymbolicLink() ? DescriptorType.SYMBOLIC_LINK : DescriptorType.UNKNOWN;
    }

    private static Optional<WasiCli.Datetime> time(FileTime t) {
        return Optional.of(new WasiCli.Datetime(t.toInstant().getEpochSecond(), t.toInstant().getNano()));
    }

    private static Stat stat(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new Stat(type(p), 1, a.size(), time(a.lastAccessTime()), time(a.lastModifiedTime()), time(a.lastModifiedTime()));
    }

    private static Hash hash(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new Hash(p.toString().hashCode() * 31L + a.size(), a.lastModifiedTime().toMillis());
    }

    /** Most bytes one {@code read} returns. */
    static final int MAX_READ = HostInputStream.MAX_READ;

    private static Map.Entry<byte[], Boolean> read(Descriptor d, long length, long offset) throws IOException, Failure {
        if (Files.isDirectory(d.path)) {
            throw new Failure(FsError.IS_DIRECTORY);
        }
        try (SeekableByteChannel ch = Files.newByteChannel(d.path)) {
            long size = ch.size();
            if (offset < 0 || offset >= size) {
                return Map.entry(new byte[0], true);
            }
            ch.position(offset);
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Math.min(length < 0 ? MAX_READ : length, MAX_READ), size - offset));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // fill
            }
            return Map.entry(buf.array(), offset + buf.position() >= size);
        }
    }

    private static Result<HostInputStream, FsError> readStream(Descriptor d, long offset) {
        return fs(() -> {
            if (Files.isDirectory(d.path)) {
                throw new Failure(FsError.IS_DIRECTORY);
            }
            var in = Files.newInputStream(d.path);
            in.skipNBytes(Math.max(0, Math.min(offset, Files.size(d.path))));
            return new InputStreamSource(in, "file " + d.root.relativize(d.path)) {
                @Override
                public void close() {
                    super.close();
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // in-memory file
                    }
                }
            };
        });
    }

    private static Optional<Entry> nextEntry(EntryStream e) throws IOException {
        if (!e.entries.hasNext()) {
            return Optional.empty();
        }
        Path p = e.entries.next();
        return Optional.of(new Entry(type(p), p.getFileName().toString()));
    }
}
