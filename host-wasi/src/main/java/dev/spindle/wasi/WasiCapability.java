package dev.spindle.wasi;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.wasi.cli.CliState;
import dev.spindle.wasi.cli.LinePrefixSink;
import dev.spindle.wasi.cli.WasiCli;
import dev.spindle.wasi.cli.WasiFilesystem;
import dev.spindle.wasi.http.HttpState;
import dev.spindle.wasi.http.SpinOutboundHttp;
import dev.spindle.wasi.http.WasiHttp;
import dev.spindle.wasi.http.outbound.ClientTls;
import dev.spindle.wasi.http.outbound.ComponentOutbound;
import dev.spindle.wasi.http.outbound.OutboundHttp;
import dev.spindle.wasi.io.BufferedOutput;
import dev.spindle.wasi.io.HostInputStream;
import dev.spindle.wasi.io.WasiIo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * wasi:io, wasi:http (types, outgoing-handler), the preview 2 cli/clocks/random/filesystem
 * interfaces, and Spin's legacy outbound HTTP, for every component of an app: one capability,
 * because they share resources (a wasi:http body is a wasi:io stream, a timer is a wasi:io
 * pollable) through the instance's one resource table.
 *
 * <p>Interfaces are declared once ({@link WasiIo}, {@link WasiHttp}, {@link WasiCli},
 * {@link WasiFilesystem}, {@link SpinOutboundHttp}); binding an instance only makes closures.
 */
public final class WasiCapability implements HostCapability {
    private static final List<WitInterface<Void>> IO = new ArrayList<>();
    private static final List<WitInterface<HttpState>> HTTP = new ArrayList<>();
    private static final List<WitInterface<CliState>> CLI = new ArrayList<>();

    static {
        for (WasiVersion v : WasiVersion.values()) {
            IO.addAll(WasiIo.interfaces(v));
            HTTP.addAll(WasiHttp.interfaces(v));
        }
        CLI.addAll(WasiCli.interfaces());
        CLI.addAll(WasiFilesystem.interfaces());
    }

    private final WasiOptions options;
    private final OutboundHttp outbound;
    private final Map<String, Map<String, String>> environments;
    private final Map<String, ComponentOutbound> perComponent = new ConcurrentHashMap<>();

    /** @param environments each component's {@code environment} from the manifest, by component id */
    public WasiCapability(WasiOptions options, Map<String, Map<String, String>> environments) {
        this(options, environments, ClientTls.none());
    }

    /** @param clientTls the runtime config's {@code [[client_tls]]}: the roots a component trusts for HTTPS to a host */
    public WasiCapability(WasiOptions options, Map<String, Map<String, String>> environments, ClientTls clientTls) {
        this.options = Objects.requireNonNull(options, "options");
        this.outbound = new OutboundHttp(options.outbound(), clientTls);
        this.environments = Map.copyOf(environments);
    }

    public WasiOptions options() {
        return options;
    }

    /** The app's outbound HTTP (the HTTP trigger tells it where {@code self} is). */
    public OutboundHttp outbound() {
        return outbound;
    }

    /** Every interface module this capability provides, e.g. {@code wasi:http/types@0.2.0}. */
    public static List<String> modules() {
        List<String> out = new ArrayList<>();
        IO.forEach(i -> out.add(i.module()));
        HTTP.forEach(i -> out.add(i.module()));
        CLI.forEach(i -> out.add(i.module()));
        out.add(SpinOutboundHttp.LEGACY.module());
        out.add(SpinOutboundHttp.UNVERSIONED.module());
        return out;
    }

    /** Which per-instance state an interface's functions take. */
    private enum StateKind { NONE, HTTP, CLI, OUTBOUND }

    /** One interface of this capability, in bind order. */
    private record Declared(WitInterface<?> declaration, StateKind state) {}

    /** One function, in bind order: its names and core types (immutable lists), computed once. */
    private record Slot(int iface, int index, String module, String name, List<com.dylibso.chicory.wasm.types.ValType> params,
                        List<com.dylibso.chicory.wasm.types.ValType> results, String allocator) {}

    private static final List<Declared> DECLARED = new ArrayList<>();
    private static final List<Slot> SLOTS = new ArrayList<>();

    static {
        IO.forEach(i -> DECLARED.add(new Declared(i, StateKind.NONE)));
        HTTP.forEach(i -> DECLARED.add(new Declared(i, StateKind.HTTP)));
        CLI.forEach(i -> DECLARED.add(new Declared(i, StateKind.CLI)));
        DECLARED.add(new Declared(SpinOutboundHttp.LEGACY, StateKind.OUTBOUND));
        DECLARED.add(new Declared(SpinOutboundHttp.UNVERSIONED, StateKind.OUTBOUND));
        for (int i = 0; i < DECLARED.size(); i++) {
            WitInterface<?> w = DECLARED.get(i).declaration();
            List<dev.spindle.host.abi.WitFunction> fns = w.functions();
            for (int f = 0; f < fns.size(); f++) {
                var sig = fns.get(f);
                SLOTS.add(new Slot(i, f, w.module(), sig.name(), List.copyOf(sig.importType().params()),
                        List.copyOf(sig.importType().returns()), sig.importAllocates() ? w.options().reallocExport() : null));
            }
        }
    }

    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope) {
        return bind(component, scope, null);
    }

    /**
     * Binds only the interfaces among {@code importedModules} (null: all). Binding is lazy: the
     * functions handed out are thin, and an interface's implementations are bound to this
     * instance the first time the guest calls one of them, so an invocation pays only for the
     * interfaces it uses (a pooled instance is bound again for every invocation).
     */
    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope, Set<String> importedModules) {
        ComponentOutbound out = perComponent.computeIfAbsent(component.componentId(), id -> outbound.forComponent(component));
        Lazy lazy = new Lazy(component, out, scope);
        List<HostImport> imports = new ArrayList<>(importedModules == null ? SLOTS.size() : 64);
        for (Slot slot : SLOTS) {
            if (importedModules == null || importedModules.contains(slot.module())) {
                int iface = slot.iface();
                int index = slot.index();
                imports.add(new HostImport(slot.module(), slot.name(), slot.params(), slot.results(), slot.allocator(),
                        (memory, args) -> lazy.calls(iface)[index].apply(memory, args)));
            }
        }
        return InstanceBinding.of(imports); // resources live in the instance's table, which the engine closes
    }

    /** One instance's bound interfaces, made on first use. Used by the instance's thread only. */
    private final class Lazy {
        private final ComponentContext component;
        private final ComponentOutbound out;
        private final InstanceScope scope;
        private final HostImport.Call[][] calls = new HostImport.Call[DECLARED.size()][];
        private HttpState http;
        private CliState cli;

        Lazy(ComponentContext component, ComponentOutbound out, InstanceScope scope) {
            this.component = component;
            this.out = out;
            this.scope = scope;
        }

        HostImport.Call[] calls(int iface) {
            HostImport.Call[] c = calls[iface];
            if (c == null) {
                c = bindInterface(iface);
                calls[iface] = c;
            }
            return c;
        }

        @SuppressWarnings("unchecked")
        private HostImport.Call[] bindInterface(int iface) {
            Declared d = DECLARED.get(iface);
            Object state = switch (d.state()) {
                case NONE -> null;
                case HTTP -> http();
                case CLI -> cli();
                case OUTBOUND -> out;
            };
            List<HostImport> imports = ((WitInterface<Object>) d.declaration()).bind(state, scope);
            HostImport.Call[] c = new HostImport.Call[imports.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = imports.get(i).call();
            }
            return c;
        }

        private HttpState http() {
            if (http == null) {
                http = new HttpState(options.maxResponseBodyBytes(), options.outbound().maxRequestBytes(), out);
            }
            return http;
        }

        private CliState cli() {
            if (cli == null) {
                String id = component.componentId();
                cli = new CliState(environments.getOrDefault(id, Map.of()), List.of(id),
                        () -> HostInputStream.of(new byte[0]),
                        () -> new BufferedOutput("stdout", Long.MAX_VALUE, new LinePrefixSink(component.log(), id, "stdout")),
                        () -> new BufferedOutput("stderr", Long.MAX_VALUE, new LinePrefixSink(component.log(), id, "stderr")),
                        Optional.empty());
            }
            return cli;
        }
    }

    @Override
    public void close() {
        outbound.close();
    }
}
