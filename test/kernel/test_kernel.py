"""Protocol tests for the JacLab kernel (kernelspec "jaclab").

Run with the OS Python that has Jupyter:  /usr/bin/python3 -m unittest discover -s test/kernel -v
The kernelspec must be findable (test/kernel-tests.sh installs it into a temporary JUPYTER_PATH).
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from queue import Empty

import jupyter_client
import jupyter_kernel_test
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

KERNEL = os.environ.get("JACLAB_KERNEL_NAME", "jaclab")
CHART = (
    "var ds = new org.jfree.data.xy.XYSeriesCollection(new org.jfree.data.xy.XYSeries(\"s\"));\n"
    "ds.getSeries(0).add(1, 2); ds.getSeries(0).add(2, 3);\n"
    "var chart = org.jfree.chart.ChartFactory.createXYLineChart(\"t\", \"x\", \"y\", ds);\n"
)


class JacLabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL
    language_name = "java"
    file_extension = ".java"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("oops");'
    code_generate_error = 'throw new IllegalStateException("boom");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "ab"},
        {"code": "java.util.List.of(1, 2)", "result": "[1, 2]"},
    ]
    code_display_data = [
        {"code": CHART + "display(chart);", "mime": "image/png"},
        {"code": 'display(html("<b>bold</b>"));', "mime": "text/html"},
        {"code": 'display(tech.tablesaw.api.Table.create("t", tech.tablesaw.api.IntColumn.create("a", 1, 2)));',
         "mime": "text/html"},
        {"code": CHART + 'display(chart, "image/svg+xml");', "mime": "image/svg+xml"},
    ]
    completion_samples = [
        {"text": "Math.ma", "matches": {"max("}},
        {"text": 'int a = 1;\n"abc".isEm', "matches": {"isEmpty()"}},
    ]
    complete_code_samples = ["1", "int x = 1;", "System.out.println(1);", "%%time\nint y = 2;"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int f(int a) {", '"abc" +']
    invalid_code_samples = ["int x = );", "}}"]
    code_inspect_sample = "Math.max"
    code_history_pattern = "6 * 7"
    supported_history_operations = ("tail", "range", "search")
    code_clear_output = 'System.out.println("x"); clearOutput();'

    code_page_something = "Math.max?"

    def test_completion(self):
        # the base test checks a subset; also check the replacement range lies inside the text
        super().test_completion()
        self.flush_channels()
        reply = reply_to(self.kc, self.kc.complete("Math.ma"))
        self.assertEqual(reply["content"]["cursor_start"], 5)
        self.assertEqual(reply["content"]["cursor_end"], 7)

    def test_kernel_info_status_ok(self):
        self.flush_channels()
        reply = reply_to(self.kc, self.kc.kernel_info())
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(reply["content"]["language_info"]["name"], "java")

    def test_inspect_inside_call_and_mid_identifier(self):
        for code, pos in (("Math.max(1, 2)", 9), ("Math.max(1, 2)", 6)):
            self.flush_channels()
            reply = reply_to(self.kc, self.kc.inspect(code, pos))
            self.assertTrue(reply["content"]["found"], (code, pos))
            self.assertIn("max(", reply["content"]["data"]["text/plain"])

    def test_rich_last_expression_and_update_display(self):
        self.flush_channels()
        reply, out = self.execute_helper(CHART + "chart")
        results = [m for m in out if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1)
        self.assertIn("image/png", results[0]["content"]["data"])
        reply, out = self.execute_helper('String id = display("one");\nupdateDisplay(id, "two");')
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("update_display_data", [m["msg_type"] for m in out])

    def test_error_output_names_the_line(self):
        self.flush_channels()
        reply, out = self.execute_helper("int a = 1;\nint b = nope + a;")
        self.assertEqual(reply["content"]["status"], "error")
        err = [m for m in out if m["msg_type"] == "error"][0]["content"]
        self.assertEqual(err["ename"], "CompilationError")
        text = "\n".join(err["traceback"])
        self.assertIn("2 | ", text)
        self.assertIn("nope", text)

    def test_variables_survive_errors(self):
        self.flush_channels()
        self.execute_helper("int survivor = 5;")
        self.execute_helper('throw new RuntimeException("x");')
        self.execute_helper("int deep(int n) { return deep(n + 1); }\ndeep(0);")
        reply, out = self.execute_helper("survivor")
        res = [m for m in out if m["msg_type"] == "execute_result"][0]
        self.assertEqual(res["content"]["data"]["text/plain"], "5")

    def test_native_threads_default_to_one_on_two_cores(self):
        want = os.environ.get("OMP_NUM_THREADS") or ("1" if (os.cpu_count() or 4) <= 2 else None)
        if want is None:
            raise unittest.SkipTest("more than 2 cores: ND4J keeps its default threads")
        self.flush_channels()
        reply, out = self.execute_helper('System.getenv("OMP_NUM_THREADS")')
        res = [m for m in out if m["msg_type"] == "execute_result"][0]
        self.assertIn(want, res["content"]["data"]["text/plain"])

    def test_magics(self):
        self.flush_channels()
        reply, out = self.execute_helper("%%time\nint t = 1 + 1;")
        text = "".join(m["content"]["text"] for m in out if m["msg_type"] == "stream")
        self.assertIn("Wall time", text)
        self.assertIn("allocated", text)
        reply, out = self.execute_helper("%jvm")
        text = "".join(m["content"]["text"] for m in out if m["msg_type"] == "stream")
        self.assertIn("Java 17", text)
        self.assertIn("ND4J", text)
        reply, out = self.execute_helper("%%html\n<i>hi</i>")
        res = [m for m in out if m["msg_type"] == "execute_result"][0]
        self.assertIn("<i>hi</i>", res["content"]["data"]["text/html"])

    def test_vars_table(self):
        self.flush_channels()
        reply, out = self.execute_helper(
            "Tensor vx = Tensor.zeros(DType.FLOAT64, 2, 3).requiresGrad();\nint vsteps = 10;\nString vlabel = \"run\";")
        self.assertEqual(reply["content"]["status"], "ok")
        reply, out = self.execute_helper("%vars")
        res = [m for m in out if m["msg_type"] == "execute_result"][0]["content"]["data"]
        html = res["text/html"]
        for row in (["vx", "Tensor", "", "(2, 3)", "float64", "48 B", "true"],
                    ["vsteps", "int", "10", "", "", "", ""],
                    ["vlabel", "String", "\"run\"", "", "", "", ""]):
            self.assertRegex(html, r"<tr>\s*" + r"\s*".join("<td>%s</td>" % re.escape(c) for c in row), row)
        for col in ("name", "type", "value", "shape", "dtype", "bytes", "requires grad"):
            self.assertIn("<th>%s</th>" % col, html)
        self.assertIn("vx", res["text/plain"])

    def test_stdin_input(self):
        self.flush_channels()
        msg_id = self.kc.execute('String who = input("name? ");\nwho + "!"', allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=15)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertEqual(req["content"]["prompt"], "name? ")
        self.kc.input("Ada")
        reply = reply_to(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        while True:
            m = self.kc.get_iopub_msg(timeout=5)
            if m["msg_type"] == "execute_result":
                self.assertEqual(m["content"]["data"]["text/plain"], "Ada!")
                break


def reply_to(kc, msg_id, timeout=15):
    """The shell reply to msg_id (skipping leftovers such as extra kernel_info replies)."""
    deadline = time.time() + timeout
    while True:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


class LifecycleTests(unittest.TestCase):
    """Interrupt, restart, bad signatures, orphan prevention: each with its own kernel."""

    def test_interrupt_stops_tight_loop(self):
        km, kc = start_new_kernel(kernel_name=KERNEL)
        try:
            reply_to(kc, kc.execute("int kept = 3;"))
            loop = kc.execute("while (true) {}")
            time.sleep(1.0)
            t0 = time.time()
            km.interrupt_kernel()
            reply = reply_to(kc, loop, timeout=10)
            self.assertLess(time.time() - t0, 1.0 + 0.5)
            self.assertEqual(reply["content"]["status"], "error")
            self.assertEqual(reply["content"]["ename"], "Interrupted")
            self.assertEqual(reply_to(kc, kc.execute("kept"))["content"]["status"], "ok")
            km.restart_kernel(now=False)
            kc.wait_for_ready(timeout=30)
            self.assertEqual(reply_to(kc, kc.execute("1 + 1"))["content"]["status"], "ok")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)
        self.assertFalse(km.is_alive())

    def test_bad_signature_is_dropped(self):
        km, kc = start_new_kernel(kernel_name=KERNEL)
        try:
            bad = km.client()
            bad.session.key = b"not-the-key"
            bad.start_channels()
            bad.execute("System.exit(3);")
            with self.assertRaises(Empty):
                bad.get_shell_msg(timeout=2)
            bad.stop_channels()
            reply = reply_to(kc, kc.execute("40 + 2"))
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertTrue(km.is_alive())
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)

    def test_kernel_exits_when_parent_dies(self):
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
        with tempfile.TemporaryDirectory() as d:
            conn, _ = jupyter_client.connect.write_connection_file(os.path.join(d, "k.json"))
            argv = [a.replace("{connection_file}", conn) for a in spec.argv]
            launcher = ("import subprocess, sys, time\n"
                        "p = subprocess.Popen(sys.argv[1:])\n"
                        "print(p.pid, flush=True)\n"
                        "time.sleep(600)\n")
            parent = subprocess.Popen([sys.executable, "-c", launcher] + argv, stdout=subprocess.PIPE, text=True)
            kernel_pid = int(parent.stdout.readline())
            parent.stdout.close()
            time.sleep(2)
            self.assertTrue(alive(kernel_pid))
            parent.send_signal(signal.SIGKILL)
            parent.wait()
            deadline = time.time() + 10
            while alive(kernel_pid) and time.time() < deadline:
                time.sleep(0.1)
            self.assertFalse(alive(kernel_pid), "the kernel outlived its parent")


class ConfigTests(unittest.TestCase):
    """JACLAB_JVM_OPTS, JACLAB_CLASSPATH and JACLAB_STARTUP_SCRIPT reach a kernel started by Jupyter."""

    def test_environment_configuration(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "extra", "Extra.java")
            os.makedirs(os.path.dirname(src))
            with open(src, "w") as f:
                f.write("package extra; public class Extra { public static int answer() { return 41; } }")
            classes = os.path.join(d, "classes")
            subprocess.run(["javac", "-d", classes, src], check=True)
            script = os.path.join(d, "startup.jsh")
            with open(script, "w") as f:
                f.write("int startedWith = extra.Extra.answer() + 1;\n")
            env = dict(os.environ, JACLAB_JVM_OPTS="-Djaclab.test.flag=on -Xmx512m",
                       JACLAB_CLASSPATH=classes, JACLAB_STARTUP_SCRIPT=script)
            km, kc = start_new_kernel(kernel_name=KERNEL, env=env)
            try:
                for code, want in (('System.getProperty("jaclab.test.flag")', "on"),
                                   ("startedWith", "42"),
                                   ("Runtime.getRuntime().maxMemory() <= 512L << 20", "true"),
                                   ('System.getProperty("java.awt.headless")', "true")):
                    msg_id = kc.execute(code)
                    self.assertEqual(reply_to(kc, msg_id)["content"]["status"], "ok", code)
                    while True:
                        m = kc.get_iopub_msg(timeout=5)
                        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_result":
                            self.assertEqual(m["content"]["data"]["text/plain"], want, code)
                            break
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=True)


class KernelPerClass(unittest.TestCase):
    """One kernel shared by the tests of a class (self.km, self.kc)."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)


class DependencyMagicTests(KernelPerClass):
    """%maven and %%loadFromPOM against Maven Central (through ~/.m2/settings.xml, as a user's kernel would)."""

    def run_cell(self, code, timeout=15):
        """(reply content, stdout, stderr, execute_result text/plain or None, error content or None)"""
        msg_id = self.kc.execute(code)
        reply = reply_to(self.kc, msg_id, timeout=timeout)
        out, err, result, error = "", "", None, None
        while True:
            m = self.kc.get_iopub_msg(timeout=5)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            t, c = m["msg_type"], m["content"]
            if t == "stream":
                if c["name"] == "stdout":
                    out += c["text"]
                else:
                    err += c["text"]
            elif t == "execute_result":
                result = c["data"]
            elif t == "error":
                error = c
            elif t == "status" and c["execution_state"] == "idle":
                return reply["content"], out, err, result, error

    def test_maven_adds_a_library_and_its_dependencies(self):
        reply, out, err, _, _ = self.run_cell("%maven org.apache.commons:commons-text:1.10.0", timeout=180)
        self.assertEqual(reply["status"], "ok", err)
        self.assertIn("added      org.apache.commons:commons-text:1.10.0", out)
        # commons-text asks for commons-lang3 3.12.0; JacLab (through ND4J) has 3.11, which would win: reported
        self.assertIn("conflict: org.apache.commons:commons-lang3:3.12.0 (needed by org.apache.commons:commons-text:1.10.0)"
                      " is not added: JacLab's own org.apache.commons:commons-lang3 3.11", err)
        reply, out, err, result, _ = self.run_cell(
            'new org.apache.commons.text.similarity.LevenshteinDistance().apply("kitten", "sitting")')
        self.assertEqual(reply["status"], "ok", err)
        self.assertEqual(result["text/plain"], "3")
        reply, out, err, _, _ = self.run_cell("%classpath")
        self.assertRegex(out, r"commons-text-1\.10\.0\.jar  \(%maven org\.apache\.commons:commons-text:1\.10\.0\)")

    def test_load_from_pom_fragment(self):
        reply, out, err, _, _ = self.run_cell(
            "%%loadFromPOM\n"
            "<properties><csv.version>1.10.0</csv.version></properties>\n"
            "<dependency>\n"
            "  <groupId>org.apache.commons</groupId><artifactId>commons-csv</artifactId><version>${csv.version}</version>\n"
            "</dependency>\n", timeout=180)
        self.assertEqual(reply["status"], "ok", err)
        self.assertIn("added      org.apache.commons:commons-csv:1.10.0", out)
        reply, out, err, result, _ = self.run_cell(
            'org.apache.commons.csv.CSVFormat.DEFAULT.parse(new java.io.StringReader("a,b\\n1,2\\n")).getRecords().size()')
        self.assertEqual(reply["status"], "ok", err)
        self.assertEqual(result["text/plain"], "2")

    def test_unknown_coordinates_give_one_error_and_the_kernel_goes_on(self):
        reply, out, err, _, error = self.run_cell("int before = 7;\n%maven org.jaclab.nosuch:nothing:0.0.1", timeout=120)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(error["ename"], "DependencyException")
        self.assertEqual(len(error["traceback"]), 1, error["traceback"])
        self.assertIn("%maven: cannot resolve org.jaclab.nosuch:nothing:0.0.1: Could not find artifact "
                      "org.jaclab.nosuch:nothing:jar:0.0.1", error["traceback"][0])
        reply, out, err, _, error = self.run_cell("%maven commons-text")
        self.assertEqual(error["evalue"], "%maven: 'commons-text' is not group:artifact:version[:classifier]")
        reply, out, err, result, _ = self.run_cell("before * 6")
        self.assertEqual(reply["status"], "ok", err)
        self.assertEqual(result["text/plain"], "42")


class LongWorkTests(KernelPerClass):
    """A chunked Jacobian in a cell: one progress display updated in place, and an interrupt between chunks."""

    SETUP = ("Progress.delayMillis(0);\n"                      # show at once, whatever the machine's speed
             "Model lm = Models.attention(7, 3, 16);\n"
             "Tensor[] lin = lm.inputs(%d, 0);\n"
             "lin[0].requiresGrad();\n"
             "Tensor ly = lm.forward(lin)[0];\n")

    def displays(self, msg_id, until, timeout=120):
        """(display_data and update_display_data contents of msg_id, in order) until until(messages) is true."""
        seen, deadline = [], time.time() + timeout
        while not until(seen):
            m = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] in ("display_data", "update_display_data"):
                seen.append((m["msg_type"], m["content"]))
            elif m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                seen.append(("idle", None))
        return seen

    def test_progress_updates_one_display(self):
        code = self.SETUP % 256 + "Tensor lJ = Jacobian.of(ly, lin[0]).parallelism(2).perSample(Strategies.sparseRows(1));"
        msg_id = self.kc.execute(code)
        seen = self.displays(msg_id, lambda s: s and s[-1][0] == "idle")
        self.assertEqual(reply_to(self.kc, msg_id, timeout=5)["content"]["status"], "ok")
        kinds = [k for k, _ in seen if k != "idle"]
        self.assertEqual(kinds.count("display_data"), 1, kinds)
        self.assertEqual(kinds[0], "display_data")
        self.assertGreaterEqual(kinds.count("update_display_data"), 1, kinds)
        ids = {c["transient"]["display_id"] for k, c in seen if k != "idle"}
        self.assertEqual(len(ids), 1, "every update replaces the one progress display")
        first, last = seen[0][1]["data"], seen[-2][1]["data"]
        self.assertIn("<progress", first["text/html"])
        self.assertRegex(first["text/plain"], r"sparseRows\(1\): \d+/768 chunks · ")
        updates = [c["data"]["text/plain"] for k, c in seen if k == "update_display_data"]
        self.assertTrue(any(re.search(r"/768 chunks · [\d.]+ chunks/s · [\d.]+ (s|min)", u) for u in updates), updates)
        self.assertRegex(last["text/plain"], r"sparseRows\(1\): 768 chunks in [\d.]+ ")

    def test_interrupt_stops_a_chunked_jacobian_between_chunks(self):
        self.assertEqual(reply_to(self.kc, self.kc.execute("int kept = 7;"))["content"]["status"], "ok")
        code = self.SETUP % 2048 + "Tensor big = Jacobian.of(ly, lin[0]).parallelism(2).perSample(Strategies.sparseRows(1));"
        msg_id = self.kc.execute(code)
        def done(s):                                                 # chunks done by the latest display
            m = s and s[-1][1] and re.search(r"sparseRows\(1\): (\d+)/6144", s[-1][1]["data"]["text/plain"])
            return int(m.group(1)) if m else 0
        seen = self.displays(msg_id, lambda s: done(s) >= 2)         # the chunks are running
        t0 = time.time()
        self.km.interrupt_kernel()
        reply = reply_to(self.kc, msg_id, timeout=60)
        stopped_after = time.time() - t0
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        seen += self.displays(msg_id, lambda s: s and s[-1][0] == "idle", timeout=10)
        last = [c for k, c in seen if k == "update_display_data"][-1]["data"]["text/plain"]
        m = re.search(r"sparseRows\(1\): stopped at (\d+)/6144 chunks", last)
        self.assertTrue(m, last)
        self.assertTrue(2 <= int(m.group(1)) < 6144, last)
        # about a second in the design; the bound leaves room for a loaded machine (the whole run takes minutes)
        self.assertLess(stopped_after, 10, "the interrupt took %.1f s" % stopped_after)
        print("\n    interrupt to reply: %.2f s, %s chunks done" % (stopped_after, m.group(1)), file=sys.stderr)
        result = reply_to(self.kc, self.kc.execute("kept"))
        self.assertEqual(result["content"]["status"], "ok")
        msg_id = self.kc.execute("Tensor[] next = lm.inputs(64, 1);\nnext[0].requiresGrad();\n"
                                 "Jacobian.of(lm.forward(next)[0], next[0]).perSample().shape()[0] + kept")
        self.assertEqual(reply_to(self.kc, msg_id, timeout=120)["content"]["status"], "ok")
        while True:
            m = self.kc.get_iopub_msg(timeout=10)
            if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_result":
                self.assertEqual(m["content"]["data"]["text/plain"], "71")
                break


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


if __name__ == "__main__":
    unittest.main()
