package dev.spindle.host.abi;

import dev.spindle.host.GuestMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The WIT type vocabulary: constants for the primitive types and factories for the compound
 * ones, each returning a descriptor with its layout already computed.
 *
 * <pre>{@code
 * static final WitType<Optional<byte[]>> MAYBE_PAYLOAD = option(BYTES);
 * static final WitType<Status> STATUS = record("rate-limit-status",
 *         field("allowed", BOOL, Status::allowed),
 *         field("count", U32, Status::count),
 *         Status::new);
 * static final WitType<Param> PARAM = variant("redis-parameter",
 *         valueCase("int64", S64, Param.Int64.class, Param.Int64::new, Param.Int64::value),
 *         valueCase("binary", BYTES, Param.Binary.class, Param.Binary::new, Param.Binary::bytes));
 * }</pre>
 *
 * Java types: {@code bool} Boolean; {@code u8 s8 u16 s16 s32 char} Integer; {@code u32 u64 s64}
 * Long; {@code f32} Float; {@code f64} Double; {@code string} String; {@code list<u8>} byte[]
 * ({@link #BYTES}); {@code list<T>} List; {@code option<T>} Optional; {@code result} {@link Result};
 * {@code tuple<A, B>} Map.Entry ({@link #tuple(WitType, WitType)}); records, variants and enums
 * whatever Java type their declaration maps them to; {@code flags} an Integer bit mask;
 * {@code own<R>}/{@code borrow<R>} the resource's Java representation.
 */
public final class Wit {
    private Wit() {}

    public static final WitType<Boolean> BOOL = new Primitive<>(Primitive.Kind.BOOL);
    public static final WitType<Integer> U8 = new Primitive<>(Primitive.Kind.U8);
    public static final WitType<Integer> S8 = new Primitive<>(Primitive.Kind.S8);
    public static final WitType<Integer> U16 = new Primitive<>(Primitive.Kind.U16);
    public static final WitType<Integer> S16 = new Primitive<>(Primitive.Kind.S16);
    public static final WitType<Long> U32 = new Primitive<>(Primitive.Kind.U32);
    public static final WitType<Integer> S32 = new Primitive<>(Primitive.Kind.S32);
    public static final WitType<Long> U64 = new Primitive<>(Primitive.Kind.U64);
    public static final WitType<Long> S64 = new Primitive<>(Primitive.Kind.S64);
    public static final WitType<Float> F32 = new Primitive<>(Primitive.Kind.F32);
    public static final WitType<Double> F64 = new Primitive<>(Primitive.Kind.F64);
    /** A Unicode scalar value (code point), as an Integer. */
    public static final WitType<Integer> CHAR = new Primitive<>(Primitive.Kind.CHAR);
    public static final WitType<String> STRING = new StringType();
    /** {@code list<u8>} as a byte array. */
    public static final WitType<byte[]> BYTES = new BytesType(false);
    /**
     * {@code string} held as its UTF-8 bytes: the layout and checks of {@link #STRING} (invalid
     * UTF-8 traps), without decoding into a {@code String}; for bytes the host passes on as they are.
     */
    public static final WitType<byte[]> STRING_BYTES = new BytesType(true);

    public static <T> ListType<T> list(WitType<T> element) {
        return new ListType<>(element, Long.MAX_VALUE, null, GuestMemory.LIST_READ);
    }

    public static <T> OptionType<T> option(WitType<T> some) {
        return new OptionType<>(some);
    }

    /** {@code result<T, E>}. */
    public static <T, E> ResultType<T, E> result(WitType<T> ok, WitType<E> err) {
        return new ResultType<>(ok, err);
    }

    /** {@code result<_, E>}: nothing on success. */
    public static <E> ResultType<Void, E> resultErr(WitType<E> err) {
        return new ResultType<>(null, err);
    }

    /** {@code result<T>}: no error payload. */
    public static <T> ResultType<T, Void> resultOk(WitType<T> ok) {
        return new ResultType<>(ok, null);
    }

    /** {@code result}: neither side has a payload. */
    public static ResultType<Void, Void> result() {
        return new ResultType<>(null, null);
    }

    // ---- records and tuples ----

    public static <R, F> RecordType.Field<R, F> field(String label, WitType<F> type, Function<? super R, ? extends F> getter) {
        return new RecordType.Field<>(label, type, getter);
    }

    /** Builds a record value from its field values, in declaration order. */
    @FunctionalInterface
    public interface Make1<A, R> { R make(A a); }

    @FunctionalInterface
    public interface Make2<A, B, R> { R make(A a, B b); }

    @FunctionalInterface
    public interface Make3<A, B, C, R> { R make(A a, B b, C c); }

    @FunctionalInterface
    public interface Make4<A, B, C, D, R> { R make(A a, B b, C c, D d); }

    @FunctionalInterface
    public interface Make5<A, B, C, D, E, R> { R make(A a, B b, C c, D d, E e); }

    @FunctionalInterface
    public interface Make6<A, B, C, D, E, F, R> { R make(A a, B b, C c, D d, E e, F f); }

    @SuppressWarnings("unchecked")
    public static <R, A> RecordType<R> record(String name, RecordType.Field<R, A> a, Make1<A, R> make) {
        return RecordType.of(name, List.of(a), v -> make.make((A) v[0]));
    }

    @SuppressWarnings("unchecked")
    public static <R, A, B> RecordType<R> record(String name, RecordType.Field<R, A> a, RecordType.Field<R, B> b,
            Make2<A, B, R> make) {
        return RecordType.of(name, List.of(a, b), v -> make.make((A) v[0], (B) v[1]));
    }

    @SuppressWarnings("unchecked")
    public static <R, A, B, C> RecordType<R> record(String name, RecordType.Field<R, A> a, RecordType.Field<R, B> b,
            RecordType.Field<R, C> c, Make3<A, B, C, R> make) {
        return RecordType.of(name, List.of(a, b, c), v -> make.make((A) v[0], (B) v[1], (C) v[2]));
    }

    @SuppressWarnings("unchecked")
    public static <R, A, B, C, D> RecordType<R> record(String name, RecordType.Field<R, A> a, RecordType.Field<R, B> b,
            RecordType.Field<R, C> c, RecordType.Field<R, D> d, Make4<A, B, C, D, R> make) {
        return RecordType.of(name, List.of(a, b, c, d), v -> make.make((A) v[0], (B) v[1], (C) v[2], (D) v[3]));
    }

    @SuppressWarnings("unchecked")
    public static <R, A, B, C, D, E> RecordType<R> record(String name, RecordType.Field<R, A> a, RecordType.Field<R, B> b,
            RecordType.Field<R, C> c, RecordType.Field<R, D> d, RecordType.Field<R, E> e, Make5<A, B, C, D, E, R> make) {
        return RecordType.of(name, List.of(a, b, c, d, e), v -> make.make((A) v[0], (B) v[1], (C) v[2], (D) v[3], (E) v[4]));
    }

    @SuppressWarnings("unchecked")
    public static <R, A, B, C, D, E, F> RecordType<R> record(String name, RecordType.Field<R, A> a, RecordType.Field<R, B> b,
            RecordType.Field<R, C> c, RecordType.Field<R, D> d, RecordType.Field<R, E> e, RecordType.Field<R, F> f,
            Make6<A, B, C, D, E, F, R> make) {
        return RecordType.of(name, List.of(a, b, c, d, e, f),
                v -> make.make((A) v[0], (B) v[1], (C) v[2], (D) v[3], (E) v[4], (F) v[5]));
    }

    /** A record of any number of fields, built from the field values in declaration order. */
    public static <R> RecordType<R> record(String name, List<RecordType.Field<R, ?>> fields, Function<Object[], R> make) {
        return RecordType.of(name, fields, make);
    }

    /** {@code tuple<A, B>} as a {@link Map.Entry}. */
    @SuppressWarnings("unchecked")
    public static <A, B> RecordType<Map.Entry<A, B>> tuple(WitType<A> a, WitType<B> b) {
        return RecordType.of(null, List.of(
                        new RecordType.Field<Map.Entry<A, B>, A>("0", a, Map.Entry::getKey),
                        new RecordType.Field<Map.Entry<A, B>, B>("1", b, Map.Entry::getValue)),
                v -> Map.entry((A) v[0], (B) v[1]));
    }

    /** {@code tuple<T...>} of any arity, as a List of the element values. */
    public static RecordType<List<Object>> tuple(WitType<?>... elements) {
        List<RecordType.Field<List<Object>, ?>> fields = new ArrayList<>();
        for (int i = 0; i < elements.length; i++) {
            fields.add(positional(i, elements[i]));
        }
        return RecordType.of(null, fields, v -> Arrays.asList(v.clone()));
    }

    @SuppressWarnings("unchecked")
    private static <T> RecordType.Field<List<Object>, T> positional(int i, WitType<T> type) {
        return new RecordType.Field<>(Integer.toString(i), type, list -> (T) list.get(i));
    }

    // ---- variants and enums ----

    /** A case with a payload, recognised by the Java class of its values. */
    public static <V, C extends V, P> VariantType.Case<V, P> valueCase(
            String label, WitType<P> payload, Class<C> javaClass, Function<P, C> make, Function<C, P> get) {
        return new VariantType.Case<V, P>(label, payload, javaClass::isInstance, make, v -> get.apply(javaClass.cast(v)));
    }

    /** A case without payload, recognised by the Java class of its value. */
    public static <V, C extends V> VariantType.Case<V, Void> unitCase(String label, Class<C> javaClass, Supplier<C> make) {
        return new VariantType.Case<V, Void>(label, null, javaClass::isInstance, ignored -> make.get(), v -> null);
    }

    /** A case with a payload, recognised by a test on the Java value (for types that are not one class per case). */
    @SuppressWarnings("unchecked")
    public static <V, P> VariantType.Case<V, P> valueCase(
            String label, WitType<P> payload, Predicate<? super V> accepts, Function<P, ? extends V> make,
            Function<? super V, ? extends P> get) {
        return new VariantType.Case<V, P>(label, payload, v -> accepts.test((V) v), make, get);
    }

    /** A case without payload, recognised by a test on the Java value. */
    @SuppressWarnings("unchecked")
    public static <V> VariantType.Case<V, Void> unitCase(String label, Predicate<? super V> accepts, Supplier<? extends V> make) {
        return new VariantType.Case<V, Void>(label, null, v -> accepts.test((V) v), ignored -> make.get(), v -> null);
    }

    @SafeVarargs
    public static <V> VariantType<V> variant(String name, VariantType.Case<V, ?>... cases) {
        return new VariantType<>(name, Arrays.asList(cases));
    }

    public static <V> VariantType<V> variant(String name, List<VariantType.Case<V, ?>> cases) {
        return new VariantType<>(name, cases);
    }

    /**
     * An {@code enum} mapped to a Java enum whose constants are the WIT labels in order
     * ({@code INVALID_ADDRESS} is {@code invalid-address}).
     */
    public static <E extends Enum<E>> EnumType<E> enumOf(String name, Class<E> javaEnum) {
        E[] constants = javaEnum.getEnumConstants();
        List<String> labels = new ArrayList<>();
        for (E c : constants) {
            labels.add(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return new EnumType<>(name, labels, i -> constants[i], Enum::ordinal);
    }

    /** An {@code enum} whose Java value is the case index. */
    public static EnumType<Integer> enumIndex(String name, String... labels) {
        return new EnumType<>(name, Arrays.asList(labels), Integer::valueOf, Integer::intValue);
    }

    /** {@code flags}: the Java value is a bit mask, label {@code i} in bit {@code i}. */
    public static FlagsType flags(String name, String... labels) {
        return new FlagsType(name, Arrays.asList(labels));
    }

    // ---- handles ----

    public static <T> HandleType<T> own(ResourceType<T> resource) {
        return new HandleType<>(resource, true);
    }

    public static <T> HandleType<T> borrow(ResourceType<T> resource) {
        return new HandleType<>(resource, false);
    }
}
