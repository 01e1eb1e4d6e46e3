package dev.spindle.runtime.internal;

import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.CapabilitySetup;
import dev.spindle.host.HostCapability;

/** {@code fermyon:spin/variables@2.0.0}, built into the engine: every app has its variables. */
public final class VariablesProvider implements CapabilityProvider {
    public static final String NAME = "variables";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public HostCapability create(CapabilitySetup setup) {
        return new VariablesCapability(setup.variables());
    }
}
