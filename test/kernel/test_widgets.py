"""Widget protocol tests: the JacLab kernel against a jupyter_client playing the widget front end.

The messages are those of the installed front end (Debian's jupyter-js-widgets for the classic notebook,
ipywidgets 6, widget JavaScript ~2.1.4): the kernel opens comms on target "jupyter.widget" with the whole model
state as data, shows a view with {"method": "display"}, sends {"method": "update", "state": ...}; the front end
sends {"method": "backbone", "sync_data": ...}, {"method": "request_state"} and {"method": "custom", "content": ...}.
Run by test/kernel-tests.sh (unittest discover -s test/kernel).
"""
import os
import re
import time
import unittest

from jupyter_client.manager import start_new_kernel

KERNEL = os.environ.get("JACLAB_KERNEL_NAME", "jaclab")
VERSION = "~2.1.4"


class WidgetProtocolTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL)
        # as the notebook page does when it connects: the version check tells the kernel a live front end is there
        msg = cls.kc.session.msg("comm_open", {"comm_id": "version", "target_name": "jupyter.widget.version", "data": {}})
        cls.kc.shell_channel.send(msg)
        deadline = time.time() + 15
        while time.time() < deadline:
            m = cls.kc.get_iopub_msg(timeout=15)
            if (m["parent_header"].get("msg_id") == msg["header"]["msg_id"] and m["msg_type"] == "status"
                    and m["content"]["execution_state"] == "idle"):
                break

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    # -- helpers -------------------------------------------------------------------------------------------------

    def until_idle(self, msg_id, timeout=15):
        """Every iopub message whose parent is msg_id, up to its idle status."""
        out, deadline = [], time.time() + timeout
        while True:
            m = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return out
            out.append(m)

    def run_cell(self, code, cell_id=None):
        if cell_id is None:
            msg_id = self.kc.execute(code)
        else:   # as JupyterLab, and the classic notebook through the kernelspec's kernel.js, name the cell
            msg = self.kc.session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                                          "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
            msg["metadata"] = {"cellId": cell_id}
            self.kc.shell_channel.send(msg)
            msg_id = msg["header"]["msg_id"]
        msgs = self.until_idle(msg_id)
        reply = self.reply(msg_id)
        errors = [m["content"] for m in msgs if m["msg_type"] == "error"]
        self.assertEqual(reply["content"]["status"], "ok", errors)
        return msgs

    def run_cell_seeing_all(self, code, timeout=240):
        """Runs a cell; returns every iopub message (whatever its parent: background work too) up to its idle."""
        msg_id = self.kc.execute(code)
        out, deadline = [], time.time() + timeout
        while True:
            m = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            if (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                    and m["content"]["execution_state"] == "idle"):
                break
            out.append(m)
        self.assertEqual(self.reply(msg_id)["content"]["status"], "ok", [m["content"] for m in out if m["msg_type"] == "error"])
        return out

    def reply(self, msg_id):
        while True:
            r = self.kc.get_shell_msg(timeout=15)
            if r["parent_header"].get("msg_id") == msg_id:
                return r

    def value_of(self, expr):
        msgs = self.run_cell(expr)
        results = [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, msgs)
        return results[0]

    def send_comm(self, msg_type, content, timeout=15):
        """Sends a comm message as the front end does; returns the iopub messages it caused."""
        msg = self.kc.session.msg(msg_type, content)
        self.kc.shell_channel.send(msg)
        return self.until_idle(msg["header"]["msg_id"], timeout), msg["header"]["msg_id"]

    def comm_msgs(self, msgs, comm_id=None):
        return [m["content"]["data"] for m in msgs
                if m["msg_type"] == "comm_msg" and (comm_id is None or m["content"]["comm_id"] == comm_id)]

    def show_slider(self, name, value=3, lo=0, hi=10):
        """Creates and displays an IntSlider; returns (its comm id, the cell's iopub messages)."""
        msgs = self.run_cell(f"var {name} = IntSlider.of({value}, {lo}, {hi});\ndisplay({name});")
        opens = [m["content"] for m in msgs if m["msg_type"] == "comm_open"]
        sliders = [o for o in opens if o["data"].get("_model_name") == "IntSliderModel"]
        self.assertEqual(len(sliders), 1, opens)
        return sliders[0]["comm_id"], msgs

    # -- tests ---------------------------------------------------------------------------------------------------

    def test_display_opens_the_model_with_its_state_and_shows_a_view(self):
        comm_id, msgs = self.show_slider("s1", 3, 0, 10)
        opens = {m["content"]["comm_id"]: m["content"] for m in msgs if m["msg_type"] == "comm_open"}
        slider = opens[comm_id]
        self.assertEqual(slider["target_name"], "jupyter.widget")
        state = slider["data"]
        # the same state under "state" for clients of the newer protocol (nbclient runs notebooks headless)
        self.assertEqual({k: v for k, v in state.items() if k not in ("state", "buffer_paths")}, state["state"])
        self.assertEqual(state["buffer_paths"], [])
        self.assertEqual((state["value"], state["min"], state["max"], state["step"]), (3, 0, 10, 1))
        self.assertEqual(state["_view_name"], "IntSliderView")
        for k in ("_model_module", "_view_module"):
            self.assertEqual(state[k], "jupyter-js-widgets")
        for k in ("_model_module_version", "_view_module_version"):
            self.assertEqual(state[k], VERSION)
        # layout and style are models of their own, opened before the slider that refers to them
        order = [m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_open"]
        for ref, model in (("layout", "LayoutModel"), ("style", "SliderStyleModel")):
            self.assertTrue(state[ref].startswith("IPY_MODEL_"), state[ref])
            ref_id = state[ref][len("IPY_MODEL_"):]
            self.assertEqual(opens[ref_id]["data"]["_model_name"], model)
            self.assertLess(order.index(ref_id), order.index(comm_id))
        self.assertIn({"method": "display"}, self.comm_msgs(msgs, comm_id))
        views = [m["content"]["data"] for m in msgs if m["msg_type"] == "display_data"]
        self.assertEqual(views[0]["application/vnd.jupyter.widget-view+json"]["model_id"], comm_id)
        self.assertNotIn("text/plain", views[0])

    def test_front_end_change_updates_java_and_fires_listeners(self):
        comm_id, _ = self.show_slider("s2")
        self.run_cell("var seen2 = new ArrayList<Integer>();\ns2.onChange(seen2::add);")
        msgs, _ = self.send_comm("comm_msg", {"comm_id": comm_id, "data": {"method": "backbone", "sync_data": {"value": 7}}})
        self.assertEqual(self.comm_msgs(msgs, comm_id), [])          # an accepted value is not echoed
        self.assertEqual(self.value_of("s2.value() + \" \" + seen2"), "7 [7]")
        # out of range: clamped, and the front end gets the kernel's value back
        msgs, _ = self.send_comm("comm_msg", {"comm_id": comm_id, "data": {"method": "backbone", "sync_data": {"value": 99}}})
        self.assertIn({"method": "update", "state": {"value": 10}, "buffers": []}, self.comm_msgs(msgs, comm_id))
        self.assertEqual(self.value_of("s2.value() + \" \" + seen2"), "10 [7, 10]")

    def test_java_change_updates_the_front_end(self):
        comm_id, _ = self.show_slider("s3")
        msgs = self.run_cell("s3.value(5);")
        self.assertEqual(self.comm_msgs(msgs, comm_id), [{"method": "update", "state": {"value": 5}, "buffers": []}])
        msgs, _ = self.send_comm("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})
        full = self.comm_msgs(msgs, comm_id)
        self.assertEqual(len(full), 1)
        self.assertEqual(full[0]["state"]["value"], 5)
        self.assertEqual(full[0]["state"]["_model_name"], "IntSliderModel")

    def test_listener_output_goes_to_the_front_end_and_into_an_output_widget(self):
        comm_id, _ = self.show_slider("s4")
        msgs = self.run_cell("var out4 = new Output();\ndisplay(out4);\n"
                             "s4.onChange(v -> out4.capture(() -> System.out.println(\"v=\" + v)));")
        out_id = [m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_open"
                  and m["content"]["data"]["_model_name"] == "OutputModel"][0]
        msgs, sent = self.send_comm("comm_msg", {"comm_id": comm_id, "data": {"method": "backbone", "sync_data": {"value": 4}}})
        kinds = [(m["msg_type"], m["content"].get("data", {}).get("state", {}).get("msg_id"), m["content"].get("text"))
                 for m in msgs if m["msg_type"] in ("comm_msg", "stream")]
        # msg_id set to the request that runs the listener, the print (parented to it), msg_id cleared
        self.assertEqual(kinds, [("comm_msg", sent, None), ("stream", None, "v=4\n"), ("comm_msg", "", None)])
        self.assertTrue(all(m["content"]["comm_id"] == out_id for m in msgs if m["msg_type"] == "comm_msg"))

    def test_dropdown_checkbox_and_button(self):
        msgs = self.run_cell('var d = Dropdown.of("reverse", "forward", "vmap");\nvar c = Checkbox.of(false, "exact");\n'
                             'var b = Button.of("run");\nint[] clicks = {0};\nb.onClick(() -> clicks[0]++);\n'
                             'var picked = new ArrayList<String>();\nd.onChange(picked::add);\n'
                             'display(Box.vbox(Box.hbox(d, c), b));')
        ids = {m["content"]["data"]["_model_name"]: m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_open"}
        for model in ("DropdownModel", "CheckboxModel", "ButtonModel", "HBoxModel", "VBoxModel", "ButtonStyleModel"):
            self.assertIn(model, ids)
        opens = {m["content"]["comm_id"]: m["content"]["data"] for m in msgs if m["msg_type"] == "comm_open"}
        self.assertEqual(opens[ids["DropdownModel"]]["_options_labels"], ["reverse", "forward", "vmap"])
        self.assertEqual(opens[ids["HBoxModel"]]["children"], ["IPY_MODEL_" + ids["DropdownModel"], "IPY_MODEL_" + ids["CheckboxModel"]])
        self.send_comm("comm_msg", {"comm_id": ids["DropdownModel"], "data": {"method": "backbone", "sync_data": {"value": "vmap"}}})
        msgs, _ = self.send_comm("comm_msg", {"comm_id": ids["DropdownModel"], "data": {"method": "backbone", "sync_data": {"value": "nope"}}})
        self.assertIn({"method": "update", "state": {"value": "vmap"}, "buffers": []}, self.comm_msgs(msgs, ids["DropdownModel"]))
        self.send_comm("comm_msg", {"comm_id": ids["CheckboxModel"], "data": {"method": "backbone", "sync_data": {"value": True}}})
        for _ in range(2):
            self.send_comm("comm_msg", {"comm_id": ids["ButtonModel"], "data": {"method": "custom", "content": {"event": "click"}}})
        self.assertEqual(self.value_of('d.value() + " " + picked + " " + c.value() + " " + clicks[0]'), "vmap [vmap] true 2")

    def test_log_slider_is_an_exponent_slider_with_a_value_label(self):
        msgs = self.run_cell("var lr = FloatLogSlider.of(1e-3, 1e-6, 1);\ndisplay(lr);")
        opens = {m["content"]["data"]["_model_name"]: m["content"] for m in msgs if m["msg_type"] == "comm_open"}
        exponent, label = opens["FloatSliderModel"], opens["LabelModel"]
        self.assertEqual((exponent["data"]["value"], exponent["data"]["min"], exponent["data"]["max"]), (-3, -6, 0))
        self.assertFalse(exponent["data"]["readout"])
        self.assertEqual(label["data"]["value"], "0.00100")
        self.assertEqual(opens["HBoxModel"]["data"]["children"],
                         ["IPY_MODEL_" + exponent["comm_id"], "IPY_MODEL_" + label["comm_id"]])
        msgs, _ = self.send_comm("comm_msg", {"comm_id": exponent["comm_id"],
                                              "data": {"method": "backbone", "sync_data": {"value": -2.0}}})
        self.assertIn({"method": "update", "state": {"value": "0.0100"}, "buffers": []}, self.comm_msgs(msgs, label["comm_id"]))
        self.assertEqual(self.value_of("lr.value()"), "0.01")

    def test_close_from_either_side_frees_the_listeners(self):
        comm_id, _ = self.show_slider("s5")
        self.run_cell("s5.onChange(v -> {});")
        self.assertEqual(self.value_of("s5.listenerCount()"), "1")
        self.send_comm("comm_close", {"comm_id": comm_id, "data": {}})
        self.assertEqual(self.value_of('s5.isClosed() + " " + s5.isOpen() + " " + s5.listenerCount()'), "true false 0")
        comm_id, _ = self.show_slider("s6")
        msgs = self.run_cell("s6.onChange(v -> {});\ns6.close();")
        closed = [m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_close"]
        self.assertIn(comm_id, closed)
        self.assertEqual(len(closed), 3)                       # the slider, its layout and its style
        self.assertEqual(self.value_of('s6.isClosed() + " " + s6.listenerCount()'), "true 0")
        # a closed comm gets no more messages: the kernel ignores them
        self.send_comm("comm_msg", {"comm_id": comm_id, "data": {"method": "backbone", "sync_data": {"value": 1}}})
        self.assertEqual(self.value_of("s6.value()"), "3")

    def test_malformed_comm_messages_leave_the_kernel_working(self):
        comm_id, _ = self.show_slider("s7")
        bad = [
            {"comm_id": comm_id, "data": {}},                                                  # no method
            {"comm_id": comm_id, "data": {"method": ["backbone"]}},                             # method not a string
            {"comm_id": comm_id, "data": {"method": "backbone"}},                               # no sync_data
            {"comm_id": comm_id, "data": {"method": "backbone", "sync_data": [1, 2]}},          # sync_data not an object
            {"comm_id": comm_id, "data": {"method": "nonsense"}},
            {"comm_id": "no-such-comm", "data": {"method": "backbone", "sync_data": {"value": 1}}},
            {"comm_id": comm_id},                                                               # no data at all
        ]
        for content in bad:
            self.send_comm("comm_msg", content)
        msgs, _ = self.send_comm("comm_msg", {"comm_id": comm_id, "data": {"method": "backbone", "sync_data": {"value": "abc"}}})
        self.assertIn({"method": "update", "state": {"value": 3}, "buffers": []}, self.comm_msgs(msgs, comm_id))
        self.send_comm("comm_open", {"comm_id": "x1", "target_name": "no.such.target", "data": {}})
        self.assertEqual(self.value_of("s7.value()"), "3")
        self.assertEqual(self.value_of("6 * 7"), "42")

    def test_select_multiple_change_reruns_the_strategies_in_the_background(self):
        msgs = self.run_cell("var ui = Interactive.explorer(dev.jaclab.explore.Models.sin());\n"
                             'ui.strategies().value(List.of("reverseSum", "chunked"));\ndisplay(ui);')
        opens = [m["content"] for m in msgs if m["msg_type"] == "comm_open"]
        select = [o for o in opens if o["data"]["_model_name"] == "SelectMultipleModel"]
        self.assertEqual(len(select), 1)
        self.assertEqual(select[0]["data"]["_view_name"], "SelectMultipleView")
        self.assertIn("sparseRows", select[0]["data"]["_options_labels"])
        self.assertEqual(select[0]["data"]["value"], ["reverseSum", "chunked"])
        # the cell returned at once: the first run is in the background
        self.assertEqual(self.value_of('ui.awaitIdle(240_000) + " " + ui.history().size() + " " + ui.report().strategies().size()'), "true 1 2")
        self.send_comm("comm_msg", {"comm_id": select[0]["comm_id"],
                                    "data": {"method": "backbone", "sync_data": {"value": ["sparseRows"]}}})
        seen = self.run_cell_seeing_all('ui.awaitIdle(240_000) + " " + ui.report().strategies().stream().map(s -> s.name()).toList()'
                                        ' + " " + ui.history()')
        result = [m["content"]["data"]["text/plain"] for m in seen if m["msg_type"] == "execute_result"][0]
        self.assertTrue(result.startswith("true [sparseRows(256)] [N=64 "), result)
        self.assertEqual(len(re.findall(r": done in", result)), 2, result)     # one run per setting, none cancelled
        # the charts went into the Output widget: its msg_id names a request id of its own, the images have it as parent
        charts = [o["comm_id"] for o in opens if o["data"]["_model_name"] == "OutputModel"][0]
        ids = [m["content"]["data"]["state"]["msg_id"] for m in seen if m["msg_type"] == "comm_msg"
               and m["content"]["comm_id"] == charts and "msg_id" in m["content"]["data"].get("state", {})]
        self.assertEqual(len(ids), 2, ids)
        self.assertEqual(ids[1], "")
        pngs = [m for m in seen if m["msg_type"] == "display_data" and "image/png" in m["content"]["data"]]
        self.assertEqual(len([m for m in pngs if m["parent_header"].get("msg_id") == ids[0]]), 3)   # time/memory, scaling, spy

    def test_a_changed_control_interrupts_the_running_explorer_run(self):
        self.run_cell("boolean[] slow = {true};\n"
                      "var slowModel = dev.jaclab.explore.Model.of(\"slow\", (n, seed) -> new Tensor[]{Tensor.randn(seed, n, 3)}, x -> {\n"
                      "    for (int i = 0; slow[0] && i < 40; i++) {\n"
                      "        try { Thread.sleep(25); } catch (InterruptedException e) { throw new java.util.concurrent.CancellationException(\"slow\"); }\n"
                      "    }\n"
                      "    return new Tensor[]{x[0].sin()};\n"
                      "});")
        msgs = self.run_cell('var busy = Interactive.explorer(slowModel);\nbusy.strategies().value(List.of("reverseSum"));\ndisplay(busy);')
        menu = [m["content"] for m in msgs if m["msg_type"] == "comm_open" and m["content"]["data"]["_model_name"] == "DropdownModel"
                and m["content"]["data"]["description"] == "N"][0]
        time.sleep(1.5)     # the first run is in its slow forward passes (and its progress bar is up)
        self.send_comm("comm_msg", {"comm_id": menu["comm_id"], "data": {"method": "backbone", "sync_data": {"value": "16"}}})
        seen = self.run_cell_seeing_all('slow[0] = false;\nbusy.awaitIdle(240_000) + " " + busy.mostAtOnce() + " " + busy.history()')
        result = [m["content"]["data"]["text/plain"] for m in seen if m["msg_type"] == "execute_result"][0]
        self.assertRegex(result, r"^true 1 \[N=64 [^\]]*\]: cancelled, N=16 [^\]]*\]: done in ", result)
        self.assertEqual(self.value_of("busy.report().sizes()[1]"), "16")

    def test_typing_in_a_text_box_updates_java(self):
        msgs = self.run_cell('var t = Text.input("si").description("model");\nvar typed = new ArrayList<String>();\n'
                             'var entered = new ArrayList<String>();\nt.onChange(typed::add);\nt.onSubmit(entered::add);\ndisplay(t);')
        box = [m["content"] for m in msgs if m["msg_type"] == "comm_open" and m["content"]["data"]["_model_name"] == "TextModel"][0]
        self.assertEqual((box["data"]["_view_name"], box["data"]["value"], box["data"]["description"]), ("TextView", "si", "model"))
        for v in ("sin", "sinh"):
            msgs, _ = self.send_comm("comm_msg", {"comm_id": box["comm_id"], "data": {"method": "backbone", "sync_data": {"value": v}}})
            self.assertEqual(self.comm_msgs(msgs, box["comm_id"]), [])
        self.send_comm("comm_msg", {"comm_id": box["comm_id"], "data": {"method": "custom", "content": {"event": "submit"}}})
        self.assertEqual(self.value_of('t.value() + " " + typed + " " + entered'), "sinh [sin, sinh] [sinh]")
        # a label is read-only: the front end gets the kernel's value back
        msgs = self.run_cell('var lab = Text.label("fixed");\ndisplay(lab);')
        lab = [m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_open" and m["content"]["data"]["_model_name"] == "LabelModel"][0]
        msgs, _ = self.send_comm("comm_msg", {"comm_id": lab, "data": {"method": "backbone", "sync_data": {"value": "changed"}}})
        self.assertIn({"method": "update", "state": {"value": "fixed"}, "buffers": []}, self.comm_msgs(msgs, lab))

    def test_select_multiple_keeps_option_order_and_rejects_unknown_labels(self):
        msgs = self.run_cell('var sm = SelectMultiple.of("a", "b", "c");\nvar chosen = new ArrayList<List<String>>();\n'
                             'sm.onChange(chosen::add);\ndisplay(sm);')
        sm = [m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_open" and m["content"]["data"]["_model_name"] == "SelectMultipleModel"][0]
        msgs, _ = self.send_comm("comm_msg", {"comm_id": sm, "data": {"method": "backbone", "sync_data": {"value": ["c", "a"]}}})
        self.assertIn({"method": "update", "state": {"value": ["a", "c"]}, "buffers": []}, self.comm_msgs(msgs, sm))
        msgs, _ = self.send_comm("comm_msg", {"comm_id": sm, "data": {"method": "backbone", "sync_data": {"value": ["a", "zz"]}}})
        self.assertIn({"method": "update", "state": {"value": ["a", "c"]}, "buffers": []}, self.comm_msgs(msgs, sm))
        self.assertEqual(self.value_of('sm.value() + " " + chosen'), "[a, c] [[a, c]]")

    def test_interact_redraws_the_function_of_the_controls(self):
        msgs = self.run_cell('Interact.interact(IntSlider.of(2, 1, 5).description("k"), Dropdown.of("x", "y"),\n'
                             '    (k, name) -> name + " * " + k + " = " + name.repeat(k));')
        ids = {m["content"]["data"]["_model_name"]: m["content"]["comm_id"] for m in msgs if m["msg_type"] == "comm_open"}
        first = [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "display_data" and "text/plain" in m["content"]["data"]]
        self.assertIn("x * 2 = xx", first)
        msgs, sent = self.send_comm("comm_msg", {"comm_id": ids["IntSliderModel"], "data": {"method": "backbone", "sync_data": {"value": 3}}})
        shown = [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "display_data"]
        self.assertEqual(shown, ["x * 3 = xxx"])
        capture = [m["content"]["data"]["state"]["msg_id"] for m in msgs if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == ids["OutputModel"]]
        self.assertEqual(capture, [sent, ""])

    def test_running_a_cell_again_closes_the_widgets_it_showed(self):
        self.run_cell("var refs = new ArrayList<java.lang.ref.WeakReference<Object>>();\nint openBefore = KernelComms.current().openComms();")
        code = ("{ var w = IntSlider.of(1, 0, 9); w.onChange(v -> {}); refs.add(new java.lang.ref.WeakReference<>(w));\n"
                "  display(Box.hbox(w, Text.input(\"t\"))); }")
        first = self.run_cell(code, cell_id="cell-a")
        first_ids = {m["content"]["comm_id"] for m in first if m["msg_type"] == "comm_open"}
        self.assertEqual(len(first_ids), 7)           # box, slider, text box; their layouts; the slider's style
        self.assertEqual([m for m in first if m["msg_type"] == "comm_close"], [])
        self.run_cell("int x = 1;", cell_id="cell-b")   # another cell closes nothing
        second = self.run_cell(code, cell_id="cell-a")
        closed = {m["content"]["comm_id"] for m in second if m["msg_type"] == "comm_close"}
        self.assertEqual(closed, first_ids)
        kinds = [m["msg_type"] for m in second if m["msg_type"] in ("comm_close", "comm_open")]
        self.assertEqual(kinds, ["comm_close"] * 7 + ["comm_open"] * 7)   # the old ones go before the new ones come
        # the kernel keeps no reference to the old widgets: only the new ones are open, and the old slider is collected
        self.assertEqual(self.value_of("KernelComms.current().openComms() - openBefore"), "7")
        self.assertEqual(self.value_of("System.gc(); System.gc(); refs.get(0).get() == null && refs.get(1).get() != null"), "true")

    def test_version_check(self):
        msgs, _ = self.send_comm("comm_open", {"comm_id": "v1", "target_name": "jupyter.widget.version", "data": {}})
        self.assertEqual(self.comm_msgs(msgs, "v1"), [{"version": VERSION}])


class HeadlessRunTests(unittest.TestCase):
    def test_a_notebook_with_widgets_runs_headless(self):
        """nbclient (nbconvert --execute, test/notebooks) has no widget front end: it must run through and keep the state."""
        import nbclient
        import nbformat
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("var k = IntSlider.of(2, 0, 5);\nk.onChange(v -> System.out.println(\"k=\" + v));\n"
                                              "display(k);\nk.value(4);")]
        nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=120).execute()
        outs = nb.cells[0].outputs
        self.assertIn("k=4\n", [o.get("text") for o in outs if o.output_type == "stream"])
        self.assertEqual(len([o for o in outs if o.output_type == "display_data"]), 1)
        states = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
        sliders = [s["state"] for s in states.values() if s["model_name"] == "IntSliderModel"]
        self.assertEqual([s["value"] for s in sliders], [4])

    def test_the_interactive_explorer_shows_its_charts_in_the_cell_when_run_headless(self):
        """No live front end: the explorer runs once in the cell (nbconvert keeps its charts as the static output)."""
        import nbclient
        import nbformat
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell('var ui = Interactive.explorer(dev.jaclab.explore.Models.sin());\n'
                                              'ui.strategies().value(List.of("reverseSum"));\ndisplay(ui);')]
        nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=240).execute()
        pngs = [o for o in nb.cells[0].outputs if o.output_type == "display_data" and "image/png" in o.data]
        self.assertEqual(len(pngs), 4)          # time/memory, scaling, spy, the block gallery


if __name__ == "__main__":
    unittest.main()
