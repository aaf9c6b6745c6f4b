package dev.jaclab.explore;

/**
 * Progress of an {@link Explorer} run: called before each step and once at the end ({@code done == total}).
 *
 * <pre>{@code
 * Explorer.of(Models.sin()).sizes(64).progress((done, total, step) -> System.out.println(done + "/" + total + " " + step)).run();
 * }</pre>
 */
@FunctionalInterface
public interface Progress {
    void step(int done, int total, String text);

    Progress NONE = (d, t, s) -> {};
}
