package dev.jaclab.kernel.widgets;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.google.gson.JsonObject;

/**
 * A push button; clicks in the browser run the click listeners in the kernel.
 *
 * <pre>{@code
 * Button run = Button.of("run");
 * run.onClick(() -> System.out.println("clicked"));
 * display(run);
 * }</pre>
 */
public final class Button extends DomWidget {
    private final List<Runnable> clicks = new CopyOnWriteArrayList<>();

    private Button(String description) {
        super("ButtonModel", "ButtonView");
        describable(description);
        define("button_style", "");
        define("icon", "");
        define("style", StyleModels.button());
        define("tooltip", "");
    }

    public static Button of(String description) { return new Button(description); }

    /** Runs {@code r} on each click. */
    public void onClick(Runnable r) {
        if (isClosed()) throw new IllegalStateException("Button is closed: no listeners can be added");
        clicks.add(r);
    }

    /** Runs the click listeners as if the button were clicked. */
    public void click() {
        for (Runnable r : clicks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.err.println("Button click listener failed: " + e);
            }
        }
    }

    @Override
    public int listenerCount() { return super.listenerCount() + clicks.size(); }

    @Override
    protected void onCustom(JsonObject content) {
        if (content.has("event") && "click".equals(content.get("event").getAsString())) click();
    }

    @Override
    public void close() {
        clicks.clear();
        super.close();
    }
}
