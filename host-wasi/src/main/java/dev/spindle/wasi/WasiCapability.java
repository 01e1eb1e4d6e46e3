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
        this.options = Objects.requireNonNull(options, "options");
        this.outbound = new OutboundHttp(options.outbound());
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

    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope) {
        return bind(component, scope, null);
    }

    /** Binds only the interfaces among {@code importedModules} (null: all): a Redis guest pays for no wasi:http. */
    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope, Set<String> importedModules) {
        ComponentOutbound out = perComponent.computeIfAbsent(component.componentId(), id -> outbound.forComponent(component));
        HttpState http = new HttpState(options.maxResponseBodyBytes(), options.outbound().maxRequestBytes(), out);
        String id = component.componentId();
        CliState cli = new CliState(environments.getOrDefault(id, Map.of()), List.of(id),
                () -> HostInputStream.of(new byte[0]),
                () -> new BufferedOutput("stdout", Long.MAX_VALUE, new LinePrefixSink(System.err, id)),
                () -> new BufferedOutput("stderr", Long.MAX_VALUE, new LinePrefixSink(System.err, id)),
                Optional.empty());
        List<HostImport> imports = new ArrayList<>();
        bindAll(IO, null, scope, importedModules, imports);
        bindAll(HTTP, http, scope, importedModules, imports);
        bindAll(CLI, cli, scope, importedModules, imports);
        bindAll(List.of(SpinOutboundHttp.LEGACY, SpinOutboundHttp.UNVERSIONED), out, scope, importedModules, imports);
        List<HostImport> bound = List.copyOf(imports);
        return new InstanceBinding() {
            @Override
            public List<HostImport> imports() {
                return bound;
            }

            @Override
            public void close() {
                // Resources live in the instance's table, which the engine closes.
            }
        };
    }

    private static <S> void bindAll(List<WitInterface<S>> interfaces, S state, InstanceScope scope, Set<String> wanted,
                                    List<HostImport> into) {
        for (WitInterface<S> i : interfaces) {
            if (wanted == null || wanted.contains(i.module())) {
                into.addAll(i.bind(state, scope));
            }
        }
    }

    @Override
    public void close() {
        outbound.close();
    }
}
