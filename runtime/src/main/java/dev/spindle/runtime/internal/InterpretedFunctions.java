package dev.spindle.runtime.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Which functions a module's compiled classes (a compile-cache entry: Chicory's jar of generated
 * classes) leave to the interpreter. Chicory gives every function, imported or defined, a static
 * method {@code func_<index>}; a function too large for a JVM method gets one whose body only hands
 * the call to the interpreter ({@code callIndirect(long[], int, Instance)}), and only those need
 * their Wasm body at run time. Read from the classes once, when {@link CompileCache} writes an
 * entry, and stored in it: a hit need not scan megabytes of classes again, and the answer comes
 * from the very classes it describes.
 */
final class InterpretedFunctions {
    private static final String PREFIX = "func_";
    private static final String TO_INTERPRETER = "callIndirect";
    private static final String TO_INTERPRETER_DESCRIPTOR = "([JILcom/dylibso/chicory/runtime/Instance;)[J";

    private InterpretedFunctions() {}

    /** What the classes say: how many functions the module has (imported and defined), and which are interpreted. */
    record Layout(int functions, Set<Integer> interpreted) {}

    /**
     * The layout of the module the classes were compiled from, or empty when they are not laid out
     * as expected (exactly one {@code func_<i>} method for each index from 0 up): then the caller
     * must keep every body.
     */
    static Optional<Layout> in(byte[] compiledClasses) {
        Set<Integer> seen = new HashSet<>();
        int[] methods = {0}; // func_<i> methods read: more than seen.size() means a duplicate
        Set<Integer> interpreted = new HashSet<>();
        try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(compiledClasses))) {
            JarEntry entry;
            while ((entry = jar.getNextJarEntry()) != null) {
                if (!entry.getName().endsWith(".class")) {
                    continue;
                }
                new ClassReader(jar.readAllBytes()).accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                     String[] exceptions) {
                        int index = functionIndex(name);
                        if (index < 0) {
                            return null;
                        }
                        methods[0]++;
                        seen.add(index);
                        return new MethodVisitor(Opcodes.ASM9) {
                            @Override
                            public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                                if (opcode == Opcodes.INVOKESTATIC && method.equals(TO_INTERPRETER)
                                        && desc.equals(TO_INTERPRETER_DESCRIPTOR)) {
                                    interpreted.add(index);
                                }
                            }
                        };
                    }
                }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        int functions = seen.size();
        if (functions == 0 || methods[0] != functions) {
            return Optional.empty();
        }
        for (int i = 0; i < functions; i++) {
            if (!seen.contains(i)) {
                return Optional.empty();
            }
        }
        return Optional.of(new Layout(functions, Set.copyOf(interpreted)));
    }

    /** {@code i} for a method named {@code func_<i>}, else -1. */
    private static int functionIndex(String methodName) {
        if (!methodName.startsWith(PREFIX) || methodName.length() == PREFIX.length()
                || methodName.length() > PREFIX.length() + 9) {
            return -1;
        }
        int index = 0;
        for (int i = PREFIX.length(); i < methodName.length(); i++) {
            char c = methodName.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            index = index * 10 + (c - '0');
        }
        return index;
    }
}
