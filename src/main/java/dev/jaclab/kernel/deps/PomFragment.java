package dev.jaclab.kernel.deps;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * Turns the body of a {@code %%loadFromPOM} cell into the POM of a stand-in project whose dependencies are the ones
 * to load. The body may be a whole {@code <project>} or any of its parts: {@code <dependencies>} or bare
 * {@code <dependency>} elements, {@code <repositories>} or bare {@code <repository>} elements,
 * {@code <properties>}, {@code <dependencyManagement>} (BOM imports included), {@code <parent>}. The resolver then
 * reads that POM as Maven does (properties, managed versions, BOMs, the parent, the repositories it declares).
 *
 * <pre>{@code
 * String pom = PomFragment.toPom("""
 *     <properties><text.version>1.10.0</text.version></properties>
 *     <dependency><groupId>org.apache.commons</groupId><artifactId>commons-text</artifactId>
 *                 <version>${text.version}</version></dependency>""", "cell-3");
 * }</pre>
 */
public final class PomFragment {
    /** The stand-in project's groupId (its artifactId names the cell, its version is {@link #VERSION}). */
    public static final String GROUP = "jaclab.notebook";
    public static final String VERSION = "1";
    /** Elements of a pasted {@code <project>} that describe that project, not what it depends on. */
    private static final Set<String> OWN = Set.of("modelVersion", "groupId", "artifactId", "version", "packaging", "name",
            "description", "url", "build", "reporting", "modules", "distributionManagement", "scm", "issueManagement");

    private PomFragment() {}

    /** The stand-in POM (artifactId {@code artifactId}) for a cell's POM fragment. */
    public static String toPom(String fragment, String artifactId) {
        Document in = parse(fragment);
        List<Element> parts = elements(in.getDocumentElement());
        if (parts.size() == 1 && parts.get(0).getTagName().equals("project")) parts = elements(parts.get(0));
        try {
            Document out = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            Element project = out.createElement("project");
            out.appendChild(project);
            add(out, project, "modelVersion", "4.0.0");
            add(out, project, "groupId", GROUP);
            add(out, project, "artifactId", artifactId);
            add(out, project, "version", VERSION);
            add(out, project, "packaging", "pom");
            Element deps = null, repos = null;
            int dependencies = 0;
            for (Element e : parts) {
                String tag = e.getTagName();
                if (OWN.contains(tag)) continue;
                Node copy = out.importNode(e, true);
                switch (tag) {
                    case "dependency" -> {
                        if (deps == null) deps = (Element) project.appendChild(out.createElement("dependencies"));
                        deps.appendChild(copy);
                        dependencies++;
                    }
                    case "repository" -> {
                        if (repos == null) repos = (Element) project.appendChild(out.createElement("repositories"));
                        repos.appendChild(copy);
                    }
                    case "dependencies" -> {
                        if (deps == null) deps = (Element) project.appendChild(out.createElement("dependencies"));
                        for (Element d : elements((Element) copy)) { deps.appendChild(d); dependencies++; }
                    }
                    case "repositories" -> {
                        if (repos == null) repos = (Element) project.appendChild(out.createElement("repositories"));
                        for (Element r : elements((Element) copy)) repos.appendChild(r);
                    }
                    case "parent" -> {
                        if (((Element) copy).getElementsByTagName("relativePath").getLength() == 0)
                            copy.appendChild(out.createElement("relativePath"));   // never look for ../pom.xml
                        project.appendChild(copy);
                    }
                    case "properties", "dependencyManagement", "profiles", "pluginRepositories" -> project.appendChild(copy);
                    default -> throw new DependencyException("%%loadFromPOM: <" + tag + "> is not part of a POM's dependencies "
                            + "(expected <dependencies>, <dependency>, <repositories>, <repository>, <properties>, "
                            + "<dependencyManagement>, <parent> or a whole <project>)");
                }
            }
            if (dependencies == 0) throw new DependencyException("%%loadFromPOM: the cell declares no <dependency>");
            StringWriter w = new StringWriter();
            var t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.INDENT, "yes");
            t.transform(new DOMSource(out), new StreamResult(w));
            return w.toString();
        } catch (DependencyException e) {
            throw e;
        } catch (Exception e) {
            throw new DependencyException("%%loadFromPOM: cannot build the POM: " + e.getMessage(), e);
        }
    }

    private static Document parse(String fragment) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            String body = fragment.strip().replaceFirst("^<\\?xml[^>]*\\?>", "");
            var builder = f.newDocumentBuilder();
            builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {   // report by the exception, not on stderr
                @Override public void fatalError(SAXParseException e) throws SAXParseException { throw e; }

                @Override public void error(SAXParseException e) throws SAXParseException { throw e; }
            });
            Document d = builder.parse(new InputSource(new StringReader("<fragment>" + body + "</fragment>")));
            for (Node n = d.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling())
                if (n.getNodeType() == Node.TEXT_NODE && !n.getTextContent().isBlank())
                    throw new DependencyException("%%loadFromPOM: text outside any element: '" + n.getTextContent().strip() + "'");
            return d;
        } catch (SAXParseException e) {
            throw new DependencyException("%%loadFromPOM: not well-formed XML at line " + e.getLineNumber() + ": " + e.getMessage());
        } catch (DependencyException e) {
            throw e;
        } catch (Exception e) {
            throw new DependencyException("%%loadFromPOM: cannot read the cell as XML: " + e.getMessage(), e);
        }
    }

    private static List<Element> elements(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling())
            if (n instanceof Element e) out.add(e);
        return out;
    }

    private static void add(Document d, Element parent, String tag, String text) {
        Element e = d.createElement(tag);
        e.setTextContent(text);
        parent.appendChild(e);
    }
}
