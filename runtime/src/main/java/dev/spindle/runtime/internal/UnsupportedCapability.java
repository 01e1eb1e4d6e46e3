package dev.spindle.runtime.internal;

import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.CapabilitySetup;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.WitInterface;
import java.util.Set;

/**
 * The stubs of {@link UnsupportedInterfaces}, built into the engine: modules importing Spin
 * interfaces Spindle does not provide still link; calls fail as the interface's error value (or
 * trap), logged once per component and interface for the app's lifetime.
 */
public final class UnsupportedCapability implements HostCapability {
    private final Set<String> logged = UnsupportedInterfaces.loggedSet();

    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope) {
        UnsupportedInterfaces.Caller caller = new UnsupportedInterfaces.Caller(component.componentId(), component.log(), logged);
        return InstanceBinding.of(WitInterface.bindAll(UnsupportedInterfaces.all(), null, caller, scope));
    }

    /** The provider {@code SpindleOptions} adds to every app. */
    public static final class Provider implements CapabilityProvider {
        public static final String NAME = "unsupported-interfaces";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public HostCapability create(CapabilitySetup setup) {
            return new UnsupportedCapability();
        }
    }
}
