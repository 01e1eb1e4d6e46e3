package dev.spindle.wasi.io;

import dev.spindle.host.GuestTrapException;

/**
 * The host side of a wasi:io {@code output-stream}: {@link #checkWrite} grants a permit,
 * {@link #write} may use up to that many bytes (more traps, as the WIT says), {@link #flush}
 * pushes buffered bytes on. The blocking conveniences are built from those three and
 * {@link #subscribe()}, exactly as the WIT's pseudo-code describes them.
 */
public abstract class HostOutputStream {
    /** The most zero bytes one {@code write-zeroes} call may ask for beyond its permit logic. */
    private static final int ZEROES_CHUNK = 64 * 1024;

    /** Bytes the next {@link #write} may take (0: wait on {@link #subscribe()}). */
    public abstract long checkWrite() throws StreamException;

    /** Writes bytes the last permit allowed; beyond the permit is a guest error (a trap). */
    public abstract void write(byte[] bytes) throws StreamException;

    /** Starts flushing what was written; this host completes flushes before returning. */
    public abstract void flush() throws StreamException;

    /** Ready when {@link #checkWrite} grants at least one byte, or reports an error. */
    public abstract Pollable subscribe();

    /** Releases the stream ({@code [resource-drop]} or the end of the invocation). Must not throw. */
    public void close() {}

    public void blockingFlush() throws StreamException {
        flush();
        subscribe().block(Long.MAX_VALUE);
        checkWrite();
    }

    /** {@code blocking-write-and-flush}: waits for permits, writes all of {@code bytes}, then flushes. */
    public void blockingWriteAndFlush(byte[] bytes) throws StreamException {
        int off = 0;
        while (off < bytes.length) {
            long permit = awaitPermit();
            int n = (int) Math.min(permit, bytes.length - off);
            write(off == 0 && n == bytes.length ? bytes : java.util.Arrays.copyOfRange(bytes, off, off + n));
            off += n;
        }
        blockingFlush();
    }

    public void writeZeroes(long count) throws StreamException {
        long permit = checkWrite();
        if (count > permit) {
            throw new GuestTrapException("write-zeroes of " + count + " bytes exceeds the check-write permit of " + permit);
        }
        write(new byte[(int) count]);
    }

    public void blockingWriteZeroesAndFlush(long count) throws StreamException {
        while (count > 0) {
            long permit = awaitPermit();
            int n = (int) Math.min(Math.min(permit, count), ZEROES_CHUNK);
            write(new byte[n]);
            count -= n;
        }
        blockingFlush();
    }

    /** {@code splice}: moves up to {@code len} bytes that are available now from {@code src}. */
    public long splice(HostInputStream src, long len) throws StreamException {
        long permit = checkWrite();
        int n = HostInputStream.clamp(Math.min(len, permit));
        byte[] bytes = src.read(n);
        if (bytes.length > 0) {
            write(bytes);
        }
        return bytes.length;
    }

    /** {@code blocking-splice}: like {@link #splice}, after waiting for at least one byte. */
    public long blockingSplice(HostInputStream src, long len) throws StreamException {
        long permit = awaitPermit();
        int n = HostInputStream.clamp(Math.min(len, permit));
        byte[] bytes = src.blockingRead(n);
        if (bytes.length > 0) {
            write(bytes);
        }
        return bytes.length;
    }

    /** rc-2023-10-18's {@code forward}: everything until {@code src} ends; returns the byte count. */
    public long forward(HostInputStream src) throws StreamException {
        long total = 0;
        while (true) {
            long permit = awaitPermit();
            byte[] bytes;
            try {
                bytes = src.blockingRead(HostInputStream.clamp(permit));
            } catch (StreamException e) {
                if (e.isClosed()) {
                    blockingFlush();
                    return total;
                }
                throw e;
            }
            write(bytes);
            total += bytes.length;
        }
    }

    private long awaitPermit() throws StreamException {
        while (true) {
            long permit = checkWrite();
            if (permit > 0) {
                return permit;
            }
            subscribe().block(Long.MAX_VALUE);
        }
    }
}
