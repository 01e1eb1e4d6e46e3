/**
 * The canonical ABI, declared: WIT types with their layouts, host interfaces and guest exports
 * declared once, and the per-instance resource table.
 *
 * <h2>Declaring an interface</h2>
 *
 * <pre>{@code
 * import static dev.spindle.host.abi.Param.param;
 * import static dev.spindle.host.abi.Wit.*;
 *
 * // Types: descriptors with their size, alignment and flattening computed here, once.
 * record VarError(Kind kind, String message) {}
 * static final VariantType<VarError> ERROR = variant("error",
 *         valueCase("invalid-name", STRING, e -> e.kind() == Kind.INVALID_NAME, m -> new VarError(Kind.INVALID_NAME, m), VarError::message),
 *         ...);
 *
 * // Resources: one table per instance, shared by every interface bound to it.
 * static final ResourceType<Conn> CONNECTION = ResourceType.of("connection", Conn.class, Conn::close);
 *
 * // The interface: module name, functions (WIT signature + Java implementation), resources.
 * static final WitInterface<State> IFACE = WitInterface.<State>builder("example:pkg/iface@1.0.0")
 *         .resource(CONNECTION)                                  // [resource-drop]connection
 *         .func("[static]connection.open", param("address", STRING), result(own(CONNECTION), ERROR),
 *               (state, address) -> ...)                         // returns Result<Conn, VarError>
 *         .func("[method]connection.get", param("self", borrow(CONNECTION)), param("key", STRING),
 *               result(option(BYTES), ERROR), (state, conn, key) -> ...)
 *         .intercept((state, fn, call) -> ...)                   // optional: one wrapper for every call
 *         .build();
 *
 * // Per instance (HostCapability.bind(component, scope)): cheap closures, no layout work.
 * List<HostImport> imports = IFACE.bind(state, scope);
 *
 * // A guest export the host calls:
 * static final GuestExport.Unary<byte[], Result<Void, Integer>> HANDLE =
 *         GuestExport.of("fermyon:spin/inbound-redis#handle-message", param("message", BYTES), resultErr(ERROR_ENUM));
 * Result<Void, Integer> r = guest.call(HANDLE, payload);
 * }</pre>
 *
 * <p>From the declaration the layer derives the core signature ({@link dev.spindle.host.abi.WitFunction#importType},
 * {@link dev.spindle.host.abi.WitFunction#exportType}): parameters flattened, spilled to memory
 * past {@value dev.spindle.host.abi.WitFunction#MAX_FLAT_PARAMS} core values; a result of more
 * than one core value goes to a {@code retptr} return area (imports) or comes back as a pointer
 * (exports), after which {@code cabi_post_<name>} runs when the guest has it. Return areas are
 * checked before the implementation runs; lifting traps ({@link dev.spindle.host.GuestTrapException})
 * on any ABI violation; domain errors are {@link dev.spindle.host.abi.Result} values.
 *
 * <h2>Java types</h2>
 *
 * Values are typed: each descriptor {@code WitType<T>} lifts to and lowers from one Java type
 * (listed in {@link dev.spindle.host.abi.Wit}); records, variants and enums map to the Java
 * records, sealed types and enums the declaration names. Implementations are type-checked
 * lambdas ({@code (State, String) -> Result<String, VarError>}), not {@code Object[]}.
 *
 * <h2>Older guests</h2>
 *
 * wit-bindgen 0.2 modules (Spin 1.x) have the same layouts; declare their interfaces with
 * {@code WitInterface.builder(module, AbiOptions.WIT_BINDGEN_0_2)} and their errors as
 * {@link dev.spindle.host.abi.Wit#enumOf enums}: the host then allocates with
 * {@code canonical_abi_realloc} and frees what an export returned with {@code canonical_abi_free}.
 */
package dev.spindle.host.abi;
