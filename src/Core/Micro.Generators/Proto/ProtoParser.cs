using System.Collections.Generic;
using System.Text;

namespace Micro.Generators.Proto;

/// <summary>
/// Reads a .proto file (proto2, proto3 or editions) by its grammar, over <see cref="ProtoTokenizer"/>'s tokens: package,
/// <c>csharp_namespace</c>, imports, messages (nested ones and proto2 groups too) and services. Everything else
/// (fields, enums, oneofs, extensions, options with aggregate values) is skipped as whole statements and blocks, so an
/// option body such as <c>{ option (google.api.http) = { get: "/v1/{name=*}" }; }</c> ends where its braces end. A file
/// it cannot read is reported, with the place, rather than read in part.
/// </summary>
internal sealed class ProtoParser
{
    private readonly List<ProtoToken> _tokens;
    private readonly List<string> _imports = new();
    private readonly List<string> _messages = new();
    private readonly List<ProtoService> _services = new();
    private string _package = "";
    private string? _csharpNamespace;
    private int _next;

    private ProtoParser(List<ProtoToken> tokens) => _tokens = tokens;

    public static ProtoFile Read(string path, string text)
    {
        try
        {
            var parser = new ProtoParser(ProtoTokenizer.Tokenize(text));
            parser.ReadFile();
            return new ProtoFile(path, parser._package, parser._csharpNamespace, new EquatableArray<string>(parser._imports),
                new EquatableArray<string>(parser._messages), new EquatableArray<ProtoService>(parser._services));
        }
        catch (ProtoSyntaxException e)
        {
            return new ProtoFile(path, "", null, default, default, default, e.At, e.Message);
        }
    }

    private ProtoToken Peek => _tokens[_next];

    private ProtoToken Take() => _tokens[_next < _tokens.Count - 1 ? _next++ : _next];

    private ProtoToken Expect(string symbolOrWord, string where)
    {
        var token = Take();
        return token.Is(symbolOrWord) ? token : throw new ProtoSyntaxException($"expected '{symbolOrWord}' {where}, found {token.Describe()}", token);
    }

    private ProtoToken ExpectIdentifier(string what)
    {
        var token = Take();
        return token.Kind == ProtoTokenKind.Identifier ? token : throw new ProtoSyntaxException($"expected {what}, found {token.Describe()}", token);
    }

    private void ReadFile()
    {
        while (Peek.Kind != ProtoTokenKind.End)
        {
            var token = Peek;
            switch (token.Kind == ProtoTokenKind.Identifier || token.Is(";") ? token.Text : "")
            {
                case ";":
                    Take();
                    break;
                case "syntax":
                case "edition":
                    SkipStatement();
                    break;
                case "package":
                    Take();
                    _package = ReadQualifiedName("the package name");
                    Expect(";", "after the package name");
                    break;
                case "import":
                    Take();
                    if (Peek.Is("public") || Peek.Is("weak"))
                    {
                        Take();
                    }

                    var file = Take();
                    if (file.Kind != ProtoTokenKind.String)
                    {
                        throw new ProtoSyntaxException($"expected the imported file's name in quotes, found {file.Describe()}", file);
                    }

                    _imports.Add(file.Text);
                    Expect(";", "after the import");
                    break;
                case "option":
                    ReadFileOption();
                    break;
                case "message":
                    Take();
                    ReadMessage(ExpectIdentifier("the message's name").Text);
                    break;
                case "enum":
                case "extend":
                    SkipStatement();
                    break;
                case "service":
                    ReadService();
                    break;
                default:
                    throw new ProtoSyntaxException($"expected syntax, package, import, option, message, enum, extend or service, found {token.Describe()}", token);
            }
        }
    }

    private void ReadFileOption()
    {
        Take();
        if (Peek.Is("csharp_namespace") && _tokens[_next + 1].Is("="))
        {
            Take();
            Take();
            var value = Take();
            if (value.Kind != ProtoTokenKind.String)
            {
                throw new ProtoSyntaxException($"expected csharp_namespace's value in quotes, found {value.Describe()}", value);
            }

            _csharpNamespace = value.Text;
            Expect(";", "after the option");
            return;
        }

        SkipStatement();
    }

    /// <summary>A message's body: nested messages (and groups) are recorded; fields, enums, oneofs and options are skipped.</summary>
    private void ReadMessage(string name)
    {
        _messages.Add(name);
        var open = Expect("{", $"after message {name}");
        while (true)
        {
            var token = Peek;
            if (token.Is("}"))
            {
                Take();
                return;
            }

            if (token.Kind == ProtoTokenKind.End)
            {
                throw new ProtoSyntaxException($"message {name}'s '{{' is never closed", open);
            }

            if (token.Is("message"))
            {
                Take();
                ReadMessage(name + "." + ExpectIdentifier("the message's name").Text);
            }
            else
            {
                SkipStatement(groupsIn: name);
            }
        }
    }

    private void ReadService()
    {
        Take();
        var nameToken = ExpectIdentifier("the service's name");
        var name = nameToken.Text;
        var open = Expect("{", $"after service {name}");
        var rpcs = new List<ProtoRpc>();
        while (true)
        {
            var token = Peek;
            if (token.Is("}"))
            {
                Take();
                break;
            }

            if (token.Is(";"))
            {
                Take();
            }
            else if (token.Is("option"))
            {
                SkipStatement();
            }
            else if (token.Is("rpc"))
            {
                rpcs.Add(ReadRpc(name));
            }
            else if (token.Kind == ProtoTokenKind.End)
            {
                throw new ProtoSyntaxException($"service {name}'s '{{' is never closed", open);
            }
            else
            {
                throw new ProtoSyntaxException($"expected rpc or option in service {name}, found {token.Describe()}", token);
            }
        }

        _services.Add(new ProtoService(name, ProtoSpan.Of(nameToken), new EquatableArray<ProtoRpc>(rpcs)));
    }

    /// <summary><c>rpc Name ([stream] Request) returns ([stream] Response)</c>, then <c>;</c> or a body of options.</summary>
    private ProtoRpc ReadRpc(string service)
    {
        Take();
        var nameToken = ExpectIdentifier($"an rpc's name in service {service}");
        var name = nameToken.Text;
        var (request, clientStreams) = ReadRpcType($"rpc {name}'s request");
        Expect("returns", $"after rpc {name}'s request type");
        var (response, serverStreams) = ReadRpcType($"rpc {name}'s response");
        if (Peek.Is("{"))
        {
            SkipBlock();
        }
        else
        {
            Expect(";", $"or an option body {{ ... }} after rpc {name}");
        }

        return new ProtoRpc(name, ProtoSpan.Of(nameToken), request, clientStreams, response, serverStreams);
    }

    private (string Type, bool Streams) ReadRpcType(string what)
    {
        Expect("(", $"before {what} type");
        // As for protoc, a leading "stream" is always the keyword.
        var streams = Peek.Is("stream");
        if (streams)
        {
            Take();
        }

        var type = ReadQualifiedName(what + " type", allowLeadingDot: true);
        Expect(")", $"after {what} type");
        return (type, streams);
    }

    private string ReadQualifiedName(string what, bool allowLeadingDot = false)
    {
        var name = new StringBuilder();
        if (allowLeadingDot && Peek.Is("."))
        {
            Take();
            name.Append('.');
        }

        name.Append(ExpectIdentifier(what).Text);
        while (Peek.Is("."))
        {
            Take();
            name.Append('.').Append(ExpectIdentifier(what).Text);
        }

        return name.ToString();
    }

    /// <summary>
    /// One statement: up to its ';', or to the end of the block it ends with (an enum, a oneof, an extend; an option's
    /// aggregate value ends at its '}' and the ';' after it is an empty statement). Brackets must pair up. In a message
    /// (<paramref name="groupsIn"/>), a proto2 group's block is read as the nested message it defines.
    /// </summary>
    private void SkipStatement(string? groupsIn = null)
    {
        var closers = new Stack<(string Closer, ProtoToken Opener)>();
        string? group = null;
        while (true)
        {
            var token = Take();
            if (token.Kind == ProtoTokenKind.End)
            {
                throw closers.Count > 0
                    ? new ProtoSyntaxException($"'{closers.Peek().Opener.Text}' is never closed", closers.Peek().Opener)
                    : new ProtoSyntaxException("expected ';' before the end of the file", token);
            }

            if (token.Kind != ProtoTokenKind.Symbol)
            {
                if (groupsIn is not null && closers.Count == 0 && token.Is("group") && Peek.Kind == ProtoTokenKind.Identifier)
                {
                    group = Peek.Text;
                }

                continue;
            }

            switch (token.Text)
            {
                case ";" when closers.Count == 0:
                    return;
                case "{" when closers.Count == 0 && group is not null:
                    _next--;
                    ReadMessage(groupsIn + "." + group);
                    return;
                case "(":
                    closers.Push((")", token));
                    break;
                case "[":
                    closers.Push(("]", token));
                    break;
                case "{":
                    closers.Push(("}", token));
                    break;
                case ")":
                case "]":
                case "}":
                    if (closers.Count == 0 || closers.Peek().Closer != token.Text)
                    {
                        throw new ProtoSyntaxException(closers.Count == 0
                            ? $"'{token.Text}' closes nothing here (a ';' is missing before it?)"
                            : $"expected '{closers.Peek().Closer}' to close the '{closers.Peek().Opener.Text}' on line {closers.Peek().Opener.Line + 1}, found '{token.Text}'", token);
                    }

                    closers.Pop();
                    if (closers.Count == 0 && token.Text == "}")
                    {
                        return;
                    }

                    break;
            }
        }
    }

    private void SkipBlock()
    {
        if (!Peek.Is("{"))
        {
            throw new ProtoSyntaxException($"expected '{{', found {Peek.Describe()}", Peek);
        }

        SkipStatement();
    }
}
