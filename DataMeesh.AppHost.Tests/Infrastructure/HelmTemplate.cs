using System.Globalization;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>
/// Renders the chart's templates the way Helm does (Go text/template with sprig's functions) for the part of the language
/// the publisher and ChartPublishing write: actions that print <c>.Values</c>, <c>.Release.Name</c> or <c>.Chart.Name</c>,
/// string literals (the escaped braces of configuration files), and the functions <c>required</c>, <c>int</c>,
/// <c>int64</c> and <c>toString</c> in pipelines. Anything else (another function, <c>if</c>, whitespace trimming) throws
/// <see cref="NotSupportedException"/>, so a chart that starts using it fails the publish tests instead of rendering wrong.
/// As with <c>helm install</c>, a value no values file defines is an error here (Helm would print nothing), and
/// <c>required</c> fails on a missing or empty value with its message.
/// </summary>
public sealed class HelmTemplate(YamlMappingNode values, string releaseName, string chartName)
{
    /// <summary>values.yaml with <c>--set path=value</c> overrides applied, as <c>helm install --set</c> does.</summary>
    public static YamlMappingNode Values(string valuesYaml, IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(valuesYaml));
        var root = stream.Documents.Count == 0 ? new YamlMappingNode() : (YamlMappingNode)stream.Documents[0].RootNode;
        foreach (var (path, value) in overrides)
        {
            var node = root;
            var keys = path.Split('.');
            foreach (var key in keys[..^1])
            {
                if (!node.Children.TryGetValue(new YamlScalarNode(key), out var child))
                {
                    node.Children[new YamlScalarNode(key)] = child = new YamlMappingNode();
                }

                node = (YamlMappingNode)child;
            }

            node.Children[new YamlScalarNode(keys[^1])] = new YamlScalarNode(value);
        }

        return root;
    }

    public string Render(string template)
    {
        var output = new StringBuilder();
        var position = 0;
        while (true)
        {
            var start = template.IndexOf("{{", position, StringComparison.Ordinal);
            if (start < 0)
            {
                output.Append(template, position, template.Length - position);
                return output.ToString();
            }

            output.Append(template, position, start - position);
            var (tokens, end) = Tokenize(template, start + 2);
            output.Append(Evaluate(tokens));
            position = end;
        }
    }

    private string Evaluate(List<Token> tokens)
    {
        if (tokens.Count == 0)
        {
            throw new NotSupportedException("An empty action.");
        }

        var commands = new List<List<Token>> { new() };
        foreach (var token in tokens)
        {
            if (token.Kind == TokenKind.Pipe)
            {
                commands.Add([]);
            }
            else
            {
                commands[^1].Add(token);
            }
        }

        object? value = null;
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            if (command.Count == 0)
            {
                throw new NotSupportedException("An empty command in a pipeline.");
            }

            if (command[0].Kind != TokenKind.Identifier)
            {
                if (i > 0 || command.Count > 1)
                {
                    throw new NotSupportedException($"Not a function: {command[0].Text}");
                }

                value = Operand(command[0]);
                continue;
            }

            // In a pipeline the previous command's value is the function's last argument.
            var arguments = command.Skip(1).Select(Operand).ToList();
            if (i > 0)
            {
                arguments.Add(value);
            }

            value = Call(command[0].Text, arguments);
        }

        return value switch
        {
            null => throw new NotSupportedException("An action printed nothing."),
            long number => number.ToString(CultureInfo.InvariantCulture),
            _ => value.ToString()!,
        };
    }

    private static object? Call(string function, List<object?> arguments) => (function, arguments) switch
    {
        ("required", [string message, var value]) => value is null or "" ? throw new HelmRenderException(message) : value,
        ("int" or "int64", [var value]) => ToInteger(value),
        ("toString", [var value]) => value switch
        {
            long number => number.ToString(CultureInfo.InvariantCulture),
            _ => value?.ToString() ?? "",
        },
        _ => throw new NotSupportedException($"The function '{function}' with {arguments.Count} argument(s) is not rendered here."),
    };

    // sprig's int: numbers and numeric strings convert, anything else is 0.
    private static long ToInteger(object? value) => value switch
    {
        long number => number,
        string text when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
        _ => 0,
    };

    private object? Operand(Token token) => token.Kind switch
    {
        TokenKind.String => token.Text,
        TokenKind.Field => Field(token.Text),
        _ => throw new NotSupportedException($"Not an operand: {token.Text}"),
    };

    private object? Field(string path) => path switch
    {
        ".Release.Name" => releaseName,
        ".Chart.Name" => chartName,
        _ when path.StartsWith(".Values.", StringComparison.Ordinal) => Lookup(path),
        _ => throw new NotSupportedException($"The field '{path}' is not rendered here."),
    };

    private object? Lookup(string path)
    {
        YamlNode node = values;
        foreach (var key in path[".Values.".Length..].Split('.'))
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                throw new HelmRenderException($"{path} is not defined by the values.");
            }

            node = child;
        }

        return node switch
        {
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: var text }
                when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
            YamlScalarNode scalar => scalar.Value ?? "",
            _ => throw new NotSupportedException($"{path} is not a scalar."),
        };
    }

    private static (List<Token> Tokens, int End) Tokenize(string template, int position)
    {
        var tokens = new List<Token>();
        if (template[position] == '-')
        {
            throw new NotSupportedException("Whitespace trimming ({{-) is not rendered here.");
        }

        while (true)
        {
            if (position >= template.Length)
            {
                throw new FormatException("An action is not closed with }}.");
            }

            var c = template[position];
            if (char.IsWhiteSpace(c))
            {
                position++;
            }
            else if (template.AsSpan(position).StartsWith("}}"))
            {
                return (tokens, position + 2);
            }
            else if (c == '|')
            {
                tokens.Add(new(TokenKind.Pipe, "|"));
                position++;
            }
            else if (c == '`')
            {
                var close = template.IndexOf('`', position + 1);
                tokens.Add(new(TokenKind.String, template[(position + 1)..close]));
                position = close + 1;
            }
            else if (c == '"')
            {
                var text = new StringBuilder();
                position++;
                while (template[position] != '"')
                {
                    if (template[position] == '\\')
                    {
                        position++;
                        text.Append(template[position] switch { 'n' => '\n', 't' => '\t', var other => other });
                    }
                    else
                    {
                        text.Append(template[position]);
                    }

                    position++;
                }

                tokens.Add(new(TokenKind.String, text.ToString()));
                position++;
            }
            else
            {
                var end = position;
                while (end < template.Length && !char.IsWhiteSpace(template[end]) && template[end] != '|' && !template.AsSpan(end).StartsWith("}}"))
                {
                    end++;
                }

                var word = template[position..end];
                if (word == "-" || word.EndsWith('-'))
                {
                    throw new NotSupportedException("Whitespace trimming (-}}) is not rendered here.");
                }

                tokens.Add(new(word.StartsWith('.') ? TokenKind.Field : TokenKind.Identifier, word));
                position = end;
            }
        }
    }

    private enum TokenKind { Field, Identifier, String, Pipe }

    private sealed record Token(TokenKind Kind, string Text);
}

/// <summary>What <c>helm install</c> would stop with: a <c>required</c> value missing, or a value no values file defines.</summary>
public sealed class HelmRenderException(string message) : Exception(message);
