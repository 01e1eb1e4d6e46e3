package dev.spindle.host.abi;

import java.util.function.Function;

/**
 * A value of a WIT {@code result<T, E>}: {@link Ok} or {@link Err}. For a result without an ok
 * (or error) type, that side's value is null ({@link #ok()}, {@link #err()}).
 *
 * <p>Guest-visible domain errors travel as {@code Err} values; ABI violations are traps, never
 * results.
 */
public sealed interface Result<T, E> {

    record Ok<T, E>(T value) implements Result<T, E> {}

    record Err<T, E>(E error) implements Result<T, E> {}

    static <T, E> Result<T, E> ok(T value) {
        return new Ok<>(value);
    }

    /** {@code ok} of a result without an ok type (one shared instance). */
    @SuppressWarnings("unchecked")
    static <T, E> Result<T, E> ok() {
        return (Result<T, E>) UNIT_OK;
    }

    static <T, E> Result<T, E> err(E error) {
        return new Err<>(error);
    }

    /** {@code err} of a result without an error type. */
    static <T, E> Result<T, E> err() {
        return new Err<>(null);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The ok value; throws {@link IllegalStateException} on an error. */
    default T value() {
        if (this instanceof Ok<T, E> ok) {
            return ok.value();
        }
        throw new IllegalStateException("not ok: " + this);
    }

    /** The error value; throws {@link IllegalStateException} on ok. */
    default E error() {
        if (this instanceof Err<T, E> err) {
            return err.error();
        }
        throw new IllegalStateException("not an error: " + this);
    }

    default <U> Result<U, E> map(Function<? super T, ? extends U> f) {
        if (this instanceof Ok<T, E> ok) {
            return new Ok<>(f.apply(ok.value()));
        }
        return new Err<>(((Err<T, E>) this).error());
    }

    /** The shared {@code ok} of results without an ok type. */
    @SuppressWarnings("rawtypes")
    Ok UNIT_OK = new Ok<>(null);
}
