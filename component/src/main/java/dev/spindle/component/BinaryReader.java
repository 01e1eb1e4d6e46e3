package dev.spindle.component;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Reads the primitive encodings of the WebAssembly binary format from a bounded byte range: the
 * one reader of the component decoder and of the runtime's own walks over a core module's sections.
 */
public final class BinaryReader {
    private final byte[] bytes;
    private int pos;
    private final int end;

    public BinaryReader(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.pos = start;
        this.end = end;
    }

    public int position() {
        return pos;
    }

    public boolean atEnd() {
        return pos >= end;
    }

    ComponentFormatException error(String what) {
        return new ComponentFormatException(what + " at byte " + pos);
    }

    public int u8() {
        if (pos >= end) {
            throw error("unexpected end of section");
        }
        return bytes[pos++] & 0xFF;
    }

    public int peek() {
        if (pos >= end) {
            throw error("unexpected end of section");
        }
        return bytes[pos] & 0xFF;
    }

    /** An unsigned LEB128 u32. */
    public int u32() {
        long result = 0;
        int shift = 0;
        while (true) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 28) {
                throw error("u32 LEB128 too long");
            }
        }
        if (result > 0xFFFF_FFFFL) {
            throw error("u32 out of range");
        }
        return (int) result;
    }

    /** A u32 used as a count or index: must fit a Java int and be plausible for the remaining bytes. */
    int count() {
        int n = u32();
        if (n < 0 || n > end - pos) {
            throw error("count " + Integer.toUnsignedString(n) + " exceeds the remaining " + (end - pos) + " bytes");
        }
        return n;
    }

    /** A signed LEB128 of up to 33 bits (type codes, block types). */
    public long s33() {
        long result = 0;
        int shift = 0;
        int b;
        do {
            b = u8();
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0 && shift < 35);
        if ((b & 0x80) != 0) {
            throw error("s33 LEB128 too long");
        }
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    String name() {
        int len = count();
        int start = pos;
        pos += len;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, len))
                    .toString();
        } catch (CharacterCodingException e) {
            pos = start;
            throw error("name is not valid UTF-8");
        }
    }

    byte[] bytes(int len) {
        if (len < 0 || len > end - pos) {
            throw error("length " + len + " exceeds the remaining " + (end - pos) + " bytes");
        }
        byte[] out = new byte[len];
        System.arraycopy(bytes, pos, out, 0, len);
        pos += len;
        return out;
    }

    /** Skips a LEB128 of any width up to 64 bits (an {@code i32.const} or {@code i64.const} operand, a memory offset). */
    public void skipLeb128() {
        for (int i = 0; i < 10; i++) {
            if ((u8() & 0x80) == 0) {
                return;
            }
        }
        throw error("LEB128 too long");
    }

    public void skip(int len) {
        if (len < 0 || len > end - pos) {
            throw error("length " + len + " exceeds the remaining " + (end - pos) + " bytes");
        }
        pos += len;
    }

    byte[] source() {
        return bytes;
    }
}
