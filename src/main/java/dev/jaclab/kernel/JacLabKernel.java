package dev.jaclab.kernel;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellHandler;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.publish.PublishClearOutput;
import org.dflib.jjava.jupyter.messages.publish.PublishDisplayData;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.dflib.jjava.jupyter.messages.publish.PublishUpdateDisplayData;
import org.dflib.jjava.jupyter.messages.reply.ErrorReply;
import org.dflib.jjava.jupyter.messages.reply.ExecuteReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;
import org.dflib.jjava.jupyter.messages.request.KernelInfoRequest;

import dev.jaclab.kernel.widgets.KernelComms;

/**
 * The JacLab Jupyter kernel: Java cells evaluated by JShell in this JVM, rich display through
 * {@link Renderers}, magics, completion and inspection, history, stdin, interrupt.
 *
 * <p>Start it with {@link KernelMain}; {@code install.sh} registers it with Jupyter as {@code jaclab}.
 *
 * <pre>{@code
 * JacLabKernel k = new JacLabKernel(new CellHistory(null));
 * k.evalCell("1 + 1", 1);   // 2
 * }</pre>
 */
public class JacLabKernel extends BaseKernel {
    public static final String VERSION = "0.1.0";

    private final CompletableFuture<JShellSession> session;
    private final CellHistory history;
    private volatile OutputRouter router;
    private volatile boolean stdinAllowed;

    /** Creates the kernel; JShell starts in the background so the kernel answers Jupyter at once. */
    public JacLabKernel(CellHistory history) { this(history, null); }

    /** Creates the kernel and runs {@code startupCode} (may be null) before the first cell. */
    public JacLabKernel(CellHistory history, String startupCode) {
        // One set of renderers and magics. The renderer jjava's base class holds is JacLab's Renderers (a subclass of
        // jjava's Renderer), so getRenderer() and the cells' display() use the same registry. No MagicParser and no
        // MagicsRegistry: JacLab's Magics must differ from jjava's. jjava's parser rewrites each magic into Java code
        // inside the cell and splits its arguments into words (quotes and backslashes interpreted); JacLab's run in
        // the kernel between the cell's snippets, so errors keep the cell's own line numbers, and %time gets its code
        // exactly as written. The base class only stores these two.
        // The JupyterIO is the base class's required stdin/stdout/display holder; cell output goes through
        // OutputRouter instead (batched stream messages, input requests while a cell runs), installed by
        // useJupyterOutput().
        super("JacLab", VERSION, languageInfo(), List.of(new HelpLink("JacLab", "https://github.com/jaclab")),
                history, new JupyterIO(java.nio.charset.StandardCharsets.UTF_8), new KernelComms(), new Renderers(),
                null, null, false, new StringStyler.Builder().build());
        this.history = history;
        this.session = CompletableFuture.supplyAsync(() -> startSession(startupCode));
    }

    /** This kernel's renderer registry (the same object as {@link #getRenderer()}). */
    public Renderers renderers() { return (Renderers) renderer; }

    private static LanguageInfo languageInfo() {
        return new LanguageInfo.Builder("java").version(String.valueOf(Runtime.version().feature()))
                .mimetype("text/x-java-source").fileExtension(".java").pygments("java").codemirror("text/x-java").build();
    }

    private JShellSession startSession(String startupCode) {
        JShellSession s = new JShellSession();
        s.eval("1", 0);   // warm up the compiler
        magics = new Magics(s);   // the cells' magics: what the startup code adds (%maven ...) is theirs too
        if (startupCode != null && !startupCode.isBlank()) {
            try {
                magics.eval(startupCode, 0);
            } catch (Throwable t) {
                System.err.println("jaclab: the startup script failed:");
                ErrorFormatter.format(t, false).forEach(System.err::println);
            }
        }
        return s;
    }

    /** The JShell session (waits for its start). */
    public JShellSession session() { return session.join(); }

    private volatile Magics magics;

    private Magics magics() {
        session();                 // the session's start creates the magics
        return magics;
    }

    /** Evaluates a cell (magics included) and returns its value or {@link KeepingExecutionControl#NO_VALUE}. */
    public Object evalCell(String code, int count) {
        try {
            return magics().eval(code, count);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Sends notebook output (display, update, clear, input) to the cell running now, and shows long work's
     * {@link dev.jaclab.progress.Progress} there ({@link ProgressDisplay}).
     */
    public void useJupyterOutput() {
        router = OutputRouter.install();
        ((KernelComms) commManager).beforeSend(router::flush);
        Notebook.Sink sink = new Notebook.Sink() {
            @Override public void display(DisplayData d) { publish(new PublishDisplayData(d)); }

            @Override public void update(String id, DisplayData d) { publish(new PublishUpdateDisplayData(d)); }

            @Override public void clear(boolean wait) {
                publish(wait ? PublishClearOutput.BEFORE_NEXT_OUTPUT : PublishClearOutput.NOW);
            }

            @Override public Renderers renderers() { return JacLabKernel.this.renderers(); }

            @Override public String input(String prompt, boolean password) {
                ShellReplyEnvironment env = router.env();
                if (env == null || !stdinAllowed) throw new IllegalStateException("input(): this front end does not accept input");
                router.flush();
                String line = env.readFromStdIn(prompt, password);
                return line == null ? null : line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
            }
        };
        Notebook.setSink(sink);
        dev.jaclab.progress.Progress.show(new ProgressDisplay(sink));
    }

    private <T extends org.dflib.jjava.jupyter.messages.ContentType<T>> void publish(T content) {
        ShellReplyEnvironment env = router == null ? null : router.env();
        if (env == null) throw new IllegalStateException("no cell is running: output can only be shown while a cell executes");
        router.flush();
        env.publish(content);
    }

    /**
     * The base library's handlers, with widget messages (comm_open/msg/close from the front end) handled like a cell
     * for output: what their listeners print or display goes to the front end with the message as parent.
     */
    @Override
    public void becomeHandlerForConnection(JupyterConnection connection) {
        super.becomeHandlerForConnection(connection);
        connection.setHandler(MessageType.COMM_OPEN_COMMAND, asRequest(commManager::handleCommOpenCommand));
        connection.setHandler(MessageType.COMM_MSG_COMMAND, asRequest(commManager::handleCommMsgCommand));
        connection.setHandler(MessageType.COMM_CLOSE_COMMAND, asRequest(commManager::handleCommCloseCommand));
    }

    private <T> ShellHandler<T> asRequest(ShellHandler<T> handler) {
        return (env, msg) -> {
            synchronized (this) {   // one request at a time, as cells
                commManager.setMessageContext(msg);
                if (router != null) router.attach(env);
                try {
                    handler.handle(env, msg);
                } finally {
                    if (router != null) router.detach();
                }
            }
        };
    }

    @Override
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> msg) {
        commManager.setMessageContext(msg);
        ExecuteRequest req = msg.getContent();
        boolean silent = req.isSilent();
        int count = silent ? executionCount.get() : executionCount.getAndIncrement();
        env.setStatusBusy();
        if (!silent) env.publish(new PublishExecuteInput(req.getCode(), count));
        stdinAllowed = req.isStdinEnabled();
        KernelComms comms = (KernelComms) commManager;
        comms.cellStarting(cellId(msg));         // a cell run again closes the widgets it showed before
        if (router != null) router.attach(env);
        String text = null;
        try {
            String helpName = CodeInsight.helpTarget(req.getCode());
            if (helpName != null) {                                                // "Math.max?": the help pager
                env.defer().reply(new Replies.ExecuteWithPage(count, new CodeInsight(session()).help(helpName)));
                return;
            }
            Object value = evalCell(req.getCode(), count);
            if (router != null) router.flush();
            boolean stream = value instanceof java.io.PrintStream || value instanceof java.io.PrintWriter;   // printf/format results
            if (value != KeepingExecutionControl.NO_VALUE && value != null && !silent && !stream) {
                DisplayData d = renderers().render(value);
                env.publish(new PublishExecuteResult(count, d));
                Object plain = d.getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN);
                text = plain == null ? null : plain.toString();
            }
            env.defer().reply(new ExecuteReply(count, Map.of()));
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError || t instanceof StackOverflowError)) throw (Error) t;
            if (router != null) router.flush();
            String ename = t instanceof CellError ce ? ce.shortName() : t.getClass().getSimpleName();
            String evalue = t.getMessage() == null ? "" : t.getMessage();
            List<String> lines = ErrorFormatter.format(t, true);
            env.publish(new PublishError(ename, evalue, lines));
            ErrorReply err = new ErrorReply(ename, evalue, lines);
            err.setExecutionCount(count);
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), err);
        } finally {
            comms.cellEnded();
            if (router != null) router.detach();
            if (!silent && req.shouldStoreHistory()) history.add(count, req.getCode(), text);
            env.defer().setStatusIdle();   // deferred last, sent first: every iopub message of the cell precedes its reply
        }
    }

    /** The id the front end gives the cell (metadata "cellId": JupyterLab, and the classic notebook through kernel.js). */
    private static String cellId(Message<?> msg) {
        Object id = msg.hasMetadata() ? msg.getMetadata().get("cellId") : null;
        return id instanceof String s && !s.isBlank() ? s : null;
    }

    @Override
    protected void handleKernelInfoRequest(ShellReplyEnvironment env, Message<KernelInfoRequest> msg) {
        env.setBusyDeferIdle();
        env.reply(new Replies.KernelInfo(Header.PROTOCOL_VERISON, name, version, getLanguageInfo(), getBanner(), getHelpLinks()));
    }

    @Override
    protected void handleHistoryRequest(ShellReplyEnvironment env, Message<HistoryRequest> msg) {
        env.setBusyDeferIdle();
        HistoryRequest req = msg.getContent();
        Set<HistoryManager.ResultFlag> flags = EnumSet.noneOf(HistoryManager.ResultFlag.class);
        if (req.includeOutput()) flags.add(HistoryManager.ResultFlag.INCLUDE_OUTPUT);
        List<HistoryEntry> entries = switch (req.getAccessType()) {
            case TAIL -> history.lookupTail(((HistoryRequest.Tail) req).getMaxReturnLength(), flags);
            case RANGE -> {
                HistoryRequest.Range r = (HistoryRequest.Range) req;
                yield history.lookupRange(r.getSessionIndex(), r.getStart(), r.getStop(), flags);
            }
            case SEARCH -> {
                HistoryRequest.Search s = (HistoryRequest.Search) req;
                if (s.filterUnique()) flags.add(HistoryManager.ResultFlag.UNIQUE);
                yield history.search(s.getPattern(), s.getMaxReturnLength(), flags);
            }
        };
        env.reply(new Replies.History(entries, req.includeOutput()));
    }

    @Override
    public Object evalRaw(String source) { return evalCell(source, executionCount.get()); }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        String doc = new CodeInsight(session()).inspect(code, at, extraDetail);
        return doc == null ? null : new DisplayData(doc);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        CodeInsight.Completion c = new CodeInsight(session()).complete(code, at);
        return new ReplacementOptions(c.matches(), c.start(), c.end());
    }

    @Override
    public String isComplete(String code) {
        String r = new CodeInsight(session()).isComplete(code);
        if (!"incomplete".equals(r)) return r;
        String[] lines = code.split("\n", -1);
        String last = lines[lines.length - 1];
        String indent = last.substring(0, last.length() - last.stripLeading().length());
        return last.strip().endsWith("{") || last.strip().endsWith("(") ? indent + "    " : indent;
    }

    @Override
    public void interrupt() {
        if (session.isDone()) session.join().interrupt();
    }

    @Override
    public List<String> formatError(Throwable e) { return ErrorFormatter.format(e, true); }

    @Override
    public void onShutdown(boolean restarting) {
        interrupt();
        super.onShutdown(restarting);
    }

}
