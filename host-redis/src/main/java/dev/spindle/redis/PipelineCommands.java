package dev.spindle.redis;

import static dev.spindle.redis.ExtendedRedisInterface.COMMAND;
import static dev.spindle.redis.RedisLowering.ARGUMENT;

import dev.spindle.host.GuestMemory;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.host.abi.AbiContext;
import dev.spindle.host.abi.ListType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lifts {@code pipeline}'s {@code list<command>} (already checked as a list: bounds, alignment,
 * the command limit) in two plain passes over guest memory instead of the generic walk through
 * {@code command}'s and {@code redis-parameter}'s descriptors, which cost more than sending the
 * commands. Same checks, traps, charges and result as that walk ({@code PipelineCommandsTest}
 * compares the two): the first pass reads only lengths and discriminants and prepays the whole
 * lift to the host-memory budget; the second copies each name (UTF-8 checked, not decoded) and
 * argument into the command as it is sent. Offsets come from the declarations.
 */
final class PipelineCommands {
    private PipelineCommands() {}

    private static final int COMMAND_SIZE = COMMAND.size();
    private static final int NAME = COMMAND.offset(0);
    private static final int ARGUMENTS = COMMAND.offset(1);
    private static final int ARGUMENT_SIZE = ARGUMENT.size();
    private static final int ARGUMENT_ALIGN = ARGUMENT.alignment();
    private static final int PAYLOAD = ARGUMENT.payloadOffset();
    private static final int INT64 = 0;
    private static final int BINARY = 1;
    private static final int OVERHEAD = HostMemoryBudget.ELEMENT_OVERHEAD_BYTES;

    static {
        if (ARGUMENT.cases().size() != 2 || !ARGUMENT.cases().get(INT64).label().equals("int64")
                || !ARGUMENT.cases().get(BINARY).label().equals("binary") || ARGUMENT.size() != 16 || COMMAND.size() != 16) {
            throw new IllegalStateException("PipelineCommands reads command and redis-parameter as declared in 0.1.0");
        }
    }

    /** The {@link ListType.ElementReader} of {@code list<command>}. */
    static List<List<byte[]>> read(AbiContext cx, int ptr, int len, String chargedAs) {
        GuestMemory m = cx.memory();
        // Pass 1: what the lift will copy, from the lengths alone, as the generic walk prepays it.
        long total = Integer.toUnsignedLong(len) * OVERHEAD;
        for (int i = 0; i < len; i++) {
            int c = ptr + i * COMMAND_SIZE;
            total += Integer.toUnsignedLong(m.readI32(c + NAME + 4));
            int argsPtr = m.readI32(c + ARGUMENTS);
            int argsLen = m.readI32(c + ARGUMENTS + 4);
            checkByteLength(argsLen, ARGUMENT_SIZE);
            m.checkList(argsPtr, argsLen, ARGUMENT_SIZE, ARGUMENT_ALIGN);
            total += Integer.toUnsignedLong(argsLen) * OVERHEAD;
            for (int j = 0; j < argsLen; j++) {
                int a = argsPtr + j * ARGUMENT_SIZE;
                if (discriminant(m, a) == BINARY) {
                    total += Integer.toUnsignedLong(m.readI32(a + PAYLOAD + 4));
                }
            }
        }
        m.prepay(total, chargedAs);
        m.chargeElements(Integer.toUnsignedLong(len), chargedAs);
        // Pass 2: the copies, each drawing on the prepayment (one account look-up for all of them).
        HostMemoryBudget.Account account = HostMemoryBudget.currentOrNull();
        List<List<byte[]>> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            int c = ptr + i * COMMAND_SIZE;
            int namePtr = m.readI32(c + NAME);
            int nameLen = m.readI32(c + NAME + 4);
            checkByteLength(nameLen, 1);
            byte[] name = m.readUtf8(namePtr, nameLen, account);
            int argsPtr = m.readI32(c + ARGUMENTS);
            int argsLen = m.readI32(c + ARGUMENTS + 4);
            checkByteLength(argsLen, ARGUMENT_SIZE);
            m.checkList(argsPtr, argsLen, ARGUMENT_SIZE, ARGUMENT_ALIGN);
            m.chargeElements(Integer.toUnsignedLong(argsLen), chargedAs);
            byte[][] command = new byte[argsLen + 1][];
            command[0] = name;
            for (int j = 0; j < argsLen; j++) {
                int a = argsPtr + j * ARGUMENT_SIZE;
                if (discriminant(m, a) == INT64) {
                    command[j + 1] = Long.toString(m.readI64(a + PAYLOAD)).getBytes(StandardCharsets.US_ASCII);
                } else {
                    int p = m.readI32(a + PAYLOAD);
                    int l = m.readI32(a + PAYLOAD + 4);
                    checkByteLength(l, 1);
                    command[j + 1] = m.readBytes(p, l, account);
                }
            }
            out.add(Arrays.asList(command));
        }
        return out;
    }

    /** The case of the redis-parameter at {@code a}; out of range traps as the variant's lift does. */
    private static int discriminant(GuestMemory m, int a) {
        int d = m.readU8(a);
        if (d > BINARY) {
            throw new GuestTrapException("variant redis-parameter discriminant " + d + " is out of range (2 cases)");
        }
        return d;
    }

    /** The canonical ABI's list and string limit, with the generic lift's trap. */
    private static void checkByteLength(int count, int elementSize) {
        long bytes = Integer.toUnsignedLong(count) * elementSize;
        if (bytes > ListType.MAX_BYTE_LENGTH) {
            throw new GuestTrapException("guest list or string of " + bytes + " bytes is out of bounds: the canonical ABI allows at most "
                    + ListType.MAX_BYTE_LENGTH + " bytes");
        }
    }
}
