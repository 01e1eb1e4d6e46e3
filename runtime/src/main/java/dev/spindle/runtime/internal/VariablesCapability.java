package dev.spindle.runtime.internal;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.VariableResolver;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code fermyon:spin/variables@2.0.0}: a guest reads its own {@code [component.x.variables]},
 * resolved against the app's {@code [variables]} (explicit values, then environment, then defaults).
 */
public final class VariablesCapability implements HostCapability {
    public static final String MODULE = "fermyon:spin/variables@2.0.0";

    /** Spin's variable-name rule: lower_snake words of ASCII letters and digits, starting with a letter. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

    // error variant discriminants, in WIT order
    private static final int INVALID_NAME = 0;
    private static final int UNDEFINED = 1;
    private static final int PROVIDER = 2;

    private final VariableResolver resolver;

    public VariablesCapability(VariableResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public InstanceBinding bind(ComponentContext component) {
        String componentId = component.componentId();
        HostImport get = new HostImport(
                MODULE, "get",
                List.of(ValType.I32, ValType.I32, ValType.I32), List.of(),
                true,
                (memory, args) -> {
                    get(componentId, memory, (int) args[0], (int) args[1], (int) args[2]);
                    return null;
                });
        return new InstanceBinding() {
            @Override
            public List<HostImport> imports() {
                return List.of(get);
            }

            @Override
            public void close() {}
        };
    }

    /** Return area: 16 bytes, align 4; ok → string @4/@8; err → disc @4, string @8/@12. */
    private void get(String componentId, GuestMemory memory, int namePtr, int nameLen, int retptr) {
        memory.checkReturnArea(retptr, 16, 4);
        String name = memory.readString(namePtr, nameLen);
        if (!NAME.matcher(name).matches()) {
            writeError(memory, retptr, INVALID_NAME, "invalid variable name \"" + name + "\": use lower_snake_case");
            return;
        }
        Optional<String> value;
        try {
            value = resolver.resolveComponentVariable(componentId, name);
        } catch (ManifestException e) {
            writeError(memory, retptr, PROVIDER, e.reason());
            return;
        }
        if (value.isEmpty()) {
            writeError(memory, retptr, UNDEFINED, "no variable \"" + name + "\" for component \"" + componentId + "\"");
            return;
        }
        GuestMemory.Slice s = memory.allocateString(value.get());
        memory.writeU8(retptr, 0);
        memory.writeI32(retptr + 4, s.ptr());
        memory.writeI32(retptr + 8, s.len());
    }

    private static void writeError(GuestMemory memory, int retptr, int disc, String message) {
        GuestMemory.Slice s = memory.allocateString(message);
        memory.writeU8(retptr, 1);
        memory.writeU8(retptr + 4, disc);
        memory.writeI32(retptr + 8, s.ptr());
        memory.writeI32(retptr + 12, s.len());
    }
}
