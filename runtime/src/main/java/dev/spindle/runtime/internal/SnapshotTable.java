package dev.spindle.runtime.internal;

import static com.dylibso.chicory.wasm.types.Value.REF_NULL_VALUE;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.Table;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A table that can be put back to a saved image: it keeps its own entries (the base class's stay
 * unused) and remembers whether anything changed since the image, so restoring the tables of a
 * guest that never writes them after instantiation (every C and Rust guest: their function table
 * is fixed by the element segments) costs one flag test. Unlike Chicory's own table, growing it
 * does not change the module's declared limits, which every instance shares.
 */
final class SnapshotTable extends TableInstance {
    private int[] refs;
    private Instance[] instances;
    private boolean changed;

    SnapshotTable(Table table, int initialValue) {
        super(table, initialValue);
        int min = (int) table.limits().min();
        this.refs = new int[min];
        this.instances = new Instance[min];
        Arrays.fill(refs, initialValue);
    }

    /** The entries as they are now; an image for {@link #restore}. */
    Image capture() {
        changed = false;
        return new Image(refs.clone(), instances.clone());
    }

    /**
     * Puts the entries (and the size) back to {@code image}, if anything changed since. An entry is
     * a function of some instance; the image's entries name the instances of the template it was
     * captured from, so each goes through {@code rebind} to the corresponding instance of the one
     * being restored. (Copied as they were, a new instance's {@code call_indirect} would run the
     * template's functions, on the template's memory.)
     */
    void restore(Image image, boolean full, UnaryOperator<Instance> rebind) {
        if (!changed && !full) {
            return;
        }
        if (refs.length != image.refs.length) {
            refs = image.refs.clone();
            instances = new Instance[image.instances.length];
        } else {
            System.arraycopy(image.refs, 0, refs, 0, refs.length);
        }
        for (int i = 0; i < instances.length; i++) {
            Instance owner = image.instances[i];
            instances[i] = owner == null ? null : rebind.apply(owner);
        }
        changed = false;
    }

    /** A table's saved entries. Immutable once taken. */
    record Image(int[] refs, Instance[] instances) {}

    @Override
    public int size() {
        return refs.length;
    }

    @Override
    public int grow(int delta, int value, Instance instance) {
        int before = refs.length;
        long after = (long) before + delta;
        if (delta < 0 || after > limits().max()) {
            return -1;
        }
        changed = true;
        refs = Arrays.copyOf(refs, (int) after);
        Arrays.fill(refs, before, (int) after, value);
        instances = Arrays.copyOf(instances, (int) after);
        Arrays.fill(instances, before, (int) after, instance);
        return before;
    }

    @Override
    public int ref(int index) {
        if (index < 0 || index >= refs.length) {
            throw new ChicoryException("undefined element");
        }
        return refs[index];
    }

    @Override
    public int requiredRef(int index) {
        int ref = ref(index);
        if (ref == REF_NULL_VALUE) {
            throw new ChicoryException("uninitialized element " + index);
        }
        return ref;
    }

    @Override
    public void setRef(int index, int value, Instance instance) {
        if (index < 0 || index >= refs.length) {
            throw new UninstantiableException("out of bounds table access");
        }
        changed = true;
        refs[index] = value;
        instances[index] = instance;
    }

    @Override
    public Instance instance(int index) {
        return instances[index];
    }

    @Override
    public void reset() {
        changed = true;
        Arrays.fill(refs, REF_NULL_VALUE);
    }
}
