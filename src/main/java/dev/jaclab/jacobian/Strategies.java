package dev.jaclab.jacobian;

import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Every per-sample Jacobian strategy: a factory method each, and one registry that the command line, {@link Auto},
 * the explorer and the backend check read. A strategy is registered once below, with its name, its numeric
 * parameters (with defaults) and where it takes part ({@link Use}); {@link #byName} builds it from its name.
 *
 * <pre>{@code
 * Jacobian.of(y, x).perSample(Strategies.forwardSum());
 * Jacobian.of(y, x).perSample(Strategies.sparseRows(256));   // exact for coupled samples
 * Strategies.byName("chunked(64)");                            // == Strategies.chunked(64)
 * Strategies.byName("sparseRows");                             // default parameter: sparseRows(256)
 * Strategies.all();                                            // every registered strategy at its defaults
 * Strategies.all(Strategies.Use.AUTO);                         // the ones auto() weighs
 * }</pre>
 */
public final class Strategies {
    private Strategies() {}

    public static PerElement perElement() { return new PerElement(); }

    public static ReverseSum reverseSum() { return new ReverseSum(true); }

    public static ForwardSum forwardSum() { return new ForwardSum(true); }

    public static VmapJacrev vmapJacrev() { return new VmapJacrev(); }

    public static FullBatched fullBatched() { return new FullBatched(); }

    public static Chunked chunked(int chunk) { return new Chunked(chunk); }

    public static Colored colored() { return new Colored(); }

    /** Exact blocks at about the sum trick's cost when samples are coupled only through batch-wide sums (a batch mean, batch norm). */
    public static ContextForward contextForward() { return new ContextForward(); }

    public static SparseRows sparseRows(int chunk) { return new SparseRows(chunk); }

    /** Exact blocks through stacked mixing layers: row-sparse tangents up, row-sparse cotangents down, meeting halfway. */
    public static MeetInMiddle meetInMiddle(int chunk) { return new MeetInMiddle(chunk); }

    /** Independent samples a block of rows at a time from the function: memory O(rows), not O(N). */
    public static RowBlocks rowBlocks(int rows) { return new RowBlocks(rows); }

    /** rowBlocks with blocks sized automatically (a block's widest batched tensor near 12 MiB). */
    public static RowBlocks rowBlocks() { return new RowBlocks(0); }

    public static Stochastic stochastic(int probes, long seed) { return new Stochastic(probes, seed); }

    /** Not in the registry: its parameters are tensors of a recorded graph, not numbers a name can carry. */
    public static Detached detached(Tensor... cut) { return new Detached(cut.clone()); }

    public static Auto auto() { return new Auto(); }

    // ------------------------------------------------------------------ registry

    /** Where a registered strategy takes part besides {@link #byName}. */
    public enum Use {
        /** {@link #auto()} weighs it (a strategy with a {@code chunk} parameter shrinks its chunk to fit the budget). */
        AUTO,
        /** The explorer's default line-up (sum-type strategies run {@link Strategy#unchecked() unchecked} there). */
        EXPLORER,
        /** {@code GpuCheck} compares its blocks between the CPU and GPU backends. */
        BACKEND_CHECK
    }

    /** One registered strategy: name, numeric parameters with their defaults, how to build it, where it takes part. */
    record Entry(String name, List<String> params, long[] defaults, Function<long[], Strategy> make, Set<Use> uses) {
        Strategy standard() { return make.apply(defaults.clone()); }

        /** The instance for a problem: a {@code chunk} parameter shrinks until the predicted peak fits the budget. */
        Strategy fitting(Problem p) {
            if (params.isEmpty() || !params.get(0).equals("chunk")) return standard();
            return Strategies.fitting(p, standard().usefulChunk(p), c -> make.apply(withFirst(c)));
        }

        private long[] withFirst(long v) { long[] a = defaults.clone(); a[0] = v; return a; }

        String usage() { return params.isEmpty() ? name : name + "(" + String.join(", ", params) + ")"; }
    }

    /** The registry, in the order auto breaks ties of predicted work. Adding a strategy: its class and one line here. */
    private static final List<Entry> REGISTRY = List.of(
            entry("forwardSum", List.of(), a -> forwardSum(), Use.AUTO, Use.EXPLORER, Use.BACKEND_CHECK),
            entry("reverseSum", List.of(), a -> reverseSum(), Use.AUTO, Use.EXPLORER, Use.BACKEND_CHECK),
            entry("vmapJacrev", List.of(), a -> vmapJacrev(), Use.AUTO),
            entry("colored", List.of(), a -> colored(), Use.AUTO, Use.EXPLORER),
            entry("contextForward", List.of(), a -> contextForward(), Use.AUTO, Use.EXPLORER),
            entry("sparseRows", List.of("chunk=256"), a -> sparseRows(toInt("sparseRows", "chunk", a[0])), Use.AUTO, Use.EXPLORER, Use.BACKEND_CHECK),
            entry("meetInMiddle", List.of("chunk=256"), a -> meetInMiddle(toInt("meetInMiddle", "chunk", a[0])), Use.AUTO),
            entry("chunked", List.of("chunk=256"), a -> chunked(toInt("chunked", "chunk", a[0])), Use.AUTO, Use.EXPLORER, Use.BACKEND_CHECK),
            entry("fullBatched", List.of(), a -> fullBatched(), Use.AUTO),
            entry("rowBlocks", List.of("rows=0"), a -> rowBlocks(toInt("rowBlocks", "rows", a[0])), Use.AUTO, Use.EXPLORER),
            entry("perElement", List.of(), a -> perElement()),
            entry("stochastic", List.of("probes=64", "seed=0"), a -> stochastic(toInt("stochastic", "probes", a[0]), a[1])),
            entry("auto", List.of(), a -> auto()));

    /** {@code params} as "name=default". */
    private static Entry entry(String name, List<String> params, Function<long[], Strategy> make, Use... uses) {
        List<String> names = params.stream().map(s -> s.substring(0, s.indexOf('='))).toList();
        long[] defaults = params.stream().mapToLong(s -> Long.parseLong(s.substring(s.indexOf('=') + 1))).toArray();
        return new Entry(name, names, defaults, make, uses.length == 0 ? Set.of() : Set.copyOf(EnumSet.copyOf(Arrays.asList(uses))));
    }

    private static int toInt(String strategy, String param, long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
            throw new IllegalArgumentException(strategy + ": " + param + " " + v + " is out of range");
        return (int) v;
    }

    /** Every registered strategy, at its default parameters, in registry order. */
    public static List<Strategy> all() { return REGISTRY.stream().map(Entry::standard).toList(); }

    /** The registered strategies that take part in {@code use}, at their default parameters. */
    public static List<Strategy> all(Use use) { return REGISTRY.stream().filter(e -> e.uses().contains(use)).map(Entry::standard).toList(); }

    /** The registered strategies that take part in {@code use}, with chunk sizes fitted to the problem's budget. */
    static List<Strategy> fitting(Problem p, Use use) {
        return REGISTRY.stream().filter(e -> e.uses().contains(use)).map(e -> e.fitting(p)).toList();
    }

    /** The names {@link #byName} accepts, with their parameters: "forwardSum, ..., chunked(chunk), ...". */
    public static String names() { return REGISTRY.stream().map(Entry::usage).collect(Collectors.joining(", ")); }

    /**
     * The strategy a name stands for: {@code "reverseSum"}, {@code "chunked(64)"}, {@code "stochastic(32, 7)"}; missing
     * parameters take their defaults ({@code "sparseRows"} is sparseRows(256)), so {@code byName(s.name())} gives back
     * a strategy equal to s. Unknown names or bad parameters: an IllegalArgumentException listing the known names.
     */
    public static Strategy byName(String spec) {
        String s = spec == null ? "" : spec.strip();
        int open = s.indexOf('(');
        String name = (open < 0 ? s : s.substring(0, open)).strip();
        Entry e = REGISTRY.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown strategy '" + s + "'" + (name.equals("detached") ? " (detached needs tensors: Strategies.detached(t...))" : "")
                        + "; known: " + names()));
        long[] args = e.defaults().clone();
        if (open >= 0) {
            if (!s.endsWith(")")) throw new IllegalArgumentException("strategy '" + s + "': missing ')'; known: " + names());
            String inside = s.substring(open + 1, s.length() - 1).strip();
            String[] parts = inside.isEmpty() ? new String[0] : inside.split(",");
            if (parts.length > e.params().size())
                throw new IllegalArgumentException("strategy '" + s + "': " + e.name() + " takes " + e.params().size() + " parameter(s), "
                        + "got " + parts.length + "; use " + e.usage());
            for (int i = 0; i < parts.length; i++) {
                try {
                    args[i] = Long.parseLong(parts[i].strip().replace("_", ""));
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("strategy '" + s + "': " + e.params().get(i) + " must be a whole number, got '"
                            + parts[i].strip() + "'; use " + e.usage());
                }
            }
        }
        return e.make().apply(args);
    }

    /** A comma-separated list of names ({@code "forwardSum, stochastic(32, 7), chunked"}), commas inside parentheses kept. */
    public static List<Strategy> listByName(String specs) {
        List<Strategy> out = new ArrayList<>();
        for (String part : splitList(specs)) out.add(byName(part));
        if (out.isEmpty()) throw new IllegalArgumentException("no strategy named in '" + specs + "'; known: " + names());
        return out;
    }

    /** Splits at the commas that are outside parentheses; blank parts are dropped. */
    public static List<String> splitList(String specs) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i <= specs.length(); i++) {
            char c = i < specs.length() ? specs.charAt(i) : ',';
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth <= 0) {
                String part = specs.substring(start, i).strip();
                if (!part.isEmpty()) parts.add(part);
                start = i + 1;
            }
        }
        return parts;
    }

    /** The chunked strategy with the largest chunk ≤ {@code maxChunk} (halving) whose predicted peak fits the budget. */
    static <S extends Strategy> S fitting(Problem p, int maxChunk, IntFunction<S> make) {
        int c = Math.max(1, maxChunk);
        S s = make.apply(c);
        while (c > 1 && s.cost(p).peakBytes() > p.budgetBytes()) s = make.apply(c /= 2);
        return s;
    }
}
