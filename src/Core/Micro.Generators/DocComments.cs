using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace Micro.Generators;

/// <summary>
/// A contract method's XML doc comment as the endpoint's description (<c>&lt;summary&gt;</c>, then the request
/// parameter's <c>&lt;param&gt;</c>), which <c>micro mcp</c> gives agents as the tool's description. Read from the
/// comment's own text, so it works whether or not the project generates a documentation file (without one the compiler
/// does not parse doc comments).
/// </summary>
internal static class DocComments
{
    private const int MaxLength = 1000;

    public static string? Describe(IMethodSymbol method)
    {
        var xml = method.GetDocumentationCommentXml();
        if (string.IsNullOrWhiteSpace(xml))
        {
            xml = FromTrivia(method);
        }

        if (string.IsNullOrWhiteSpace(xml))
        {
            return null;
        }

        XElement root;
        try
        {
            root = XElement.Parse(xml!.TrimStart().StartsWith("<member", System.StringComparison.Ordinal) ? xml : "<member>" + xml + "</member>", LoadOptions.None);
        }
        catch (XmlException)
        {
            return null; // a malformed comment is the compiler's to report, not a reason to fail generation
        }

        var summary = Text(root.Element("summary"));
        var requestName = method.Parameters.Length > 0 ? method.Parameters[0].Name : null;
        var request = root.Elements("param").FirstOrDefault(p => (string?)p.Attribute("name") == requestName) is { } param ? Text(param) : "";
        var text = summary.Length == 0 ? request : request.Length == 0 ? summary : summary + "\n" + requestName + ": " + request;
        return text.Length == 0 ? null : text.Length > MaxLength ? text.Substring(0, MaxLength) : text;
    }

    /// <summary>The <c>///</c> lines before the method, without the slashes.</summary>
    private static string? FromTrivia(IMethodSymbol method)
    {
        var syntax = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        if (syntax is null)
        {
            return null;
        }

        var sb = new StringBuilder();
        foreach (var trivia in syntax.GetLeadingTrivia())
        {
            foreach (var line in trivia.ToFullString().Split('\n'))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("///", System.StringComparison.Ordinal))
                {
                    sb.AppendLine(trimmed.Substring(3));
                }
            }
        }

        return sb.Length == 0 ? null : sb.ToString();
    }

    /// <summary>An element's text with <c>&lt;see cref="T:X"/&gt;</c> as X and runs of white space as one space.</summary>
    private static string Text(XElement? element)
    {
        if (element is null)
        {
            return "";
        }

        var sb = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            sb.Append(node switch
            {
                XText text => text.Value,
                XElement { Name.LocalName: "see" or "seealso" or "paramref" or "typeparamref" } see => Short((string?)see.Attribute("cref") ?? (string?)see.Attribute("name") ?? (string?)see.Attribute("langword") ?? see.Value),
                XElement other => Text(other),
                _ => "",
            });
        }

        return string.Join(" ", sb.ToString().Split(new[] { ' ', '\t', '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Short(string cref)
    {
        var name = cref.Length > 2 && cref[1] == ':' ? cref.Substring(2) : cref;
        var dot = name.LastIndexOf('.');
        return dot >= 0 ? name.Substring(dot + 1) : name;
    }
}
