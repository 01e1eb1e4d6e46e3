package dev.spindle.cli;

import dev.spindle.manifest.AppManifest;
import dev.spindle.manifest.ComponentConfig;
import dev.spindle.manifest.ManifestException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The manifest's {@code [component.<id>.build]} tables, as Spin reads them: {@code command} (one
 * shell command, or a list run in order), {@code workdir} (relative to the manifest; default its
 * directory) and {@code watch} (globs, relative to the workdir, of the sources {@code spindle
 * watch} rebuilds on). Used by {@code spindle run --build} and {@code spindle watch}.
 */
final class ComponentBuilds {
    private ComponentBuilds() {
    }

    record Build(String componentId, List<String> commands, Path workdir, List<String> watch) {
        Build {
            commands = List.copyOf(commands);
            watch = List.copyOf(watch);
        }
    }

    /**
     * The build of every component that has one (of {@code only}, when not empty), in manifest order.
     *
     * @throws ManifestException naming the component's file:line for a malformed build table
     */
    static List<Build> of(AppManifest app, Collection<String> only) {
        List<Build> out = new ArrayList<>();
        for (ComponentConfig c : app.components().values()) {
            Object build = c.extras().get("build");
            if (build == null || (!only.isEmpty() && !only.contains(c.id()))) {
                continue;
            }
            if (!(build instanceof Map<?, ?> table)) {
                throw bad(c, "build must be a table with command = \"...\"");
            }
            List<String> commands = strings(c, table.get("command"), "command");
            if (commands.isEmpty()) {
                throw bad(c, "build has no command");
            }
            Object workdir = table.get("workdir");
            if (workdir != null && !(workdir instanceof String)) {
                throw bad(c, "build.workdir must be a string (a directory relative to the manifest)");
            }
            Path dir = workdir == null ? app.baseDir() : app.baseDir().resolve((String) workdir).normalize();
            out.add(new Build(c.id(), commands, dir, strings(c, table.get("watch"), "watch")));
        }
        return out;
    }

    private static List<String> strings(ComponentConfig c, Object value, String key) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw bad(c, "build." + key + " must be a string or a list of strings");
    }

    private static ManifestException bad(ComponentConfig c, String why) {
        return new ManifestException(c.location(), "component \"" + c.id() + "\": " + why);
    }

    /**
     * Runs every build, saying which before each command; the commands' own output goes straight
     * to this process's stdout and stderr. Stops at the first failing command.
     *
     * @return true if every command exited 0
     */
    static boolean run(List<Build> builds, PrintWriter out, PrintWriter err) {
        for (Build b : builds) {
            for (String command : b.commands()) {
                err.flush();
                out.println("Building component " + b.componentId() + " with `" + command + "`");
                out.flush();
                int exit;
                try {
                    Process p = new ProcessBuilder(shell(command)).directory(b.workdir().toFile()).inheritIO().start();
                    exit = p.waitFor();
                } catch (IOException e) {
                    err.println("error: component \"" + b.componentId() + "\": cannot run its build command in " + b.workdir()
                            + ": " + e.getMessage());
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (exit != 0) {
                    err.println("error: component \"" + b.componentId() + "\": build command `" + command + "` exited with code " + exit);
                    return false;
                }
            }
        }
        if (!builds.isEmpty()) {
            out.println("Finished building all Spin components");
        }
        return true;
    }

    /** Spin runs a build command through the platform's shell. */
    private static List<String> shell(String command) {
        return System.getProperty("os.name", "").startsWith("Windows") ? List.of("cmd", "/C", command) : List.of("sh", "-c", command);
    }
}
