using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AsyncPerf.Tests.Reliability;

/// <summary>Seeded source mutations that produce the half-typed, broken code an IDE analyzer sees all day.</summary>
internal static class Mutator
{
    public static readonly string[] Kinds =
    [
        "truncate", "delete-lines", "duplicate-tokens", "insert-stray", "remove-async-await", "delete-token", "swap-tokens", "replace-identifier",
    ];

    private const string Stray = "{}();<>[],.=";
    private static readonly string[] Words = ["async", "await", "var", "null", "default", "Task", "Result", "Wait", "new", "using", "static", "yield", "return", "ref", "out", "in", "is", "=>", "?", "!", "@", "\"", "'", "/*", "//", "#if X", "#endif", "$\"", "\"\"\"", "\n"];

    /// <summary>Applies 1 to 3 random mutations; <paramref name="applied"/> says which, for the failure message.</summary>
    public static string Mutate(string source, Random random, out string applied)
    {
        var text = source;
        var names = new List<string>();
        var count = 1 + random.Next(3);
        for (var i = 0; i < count; i++)
        {
            var kind = Kinds[random.Next(Kinds.Length)];
            text = Apply(kind, text, random, out var detail);
            names.Add(kind + detail);
        }

        applied = string.Join(", ", names);
        return text;
    }

    public static string Apply(string kind, string text, Random random, out string detail)
    {
        detail = string.Empty;
        if (text.Length == 0)
        {
            return text;
        }

        switch (kind)
        {
            case "truncate":
            {
                var at = random.Next(text.Length);
                detail = $"@{at}";
                return text[..at];
            }

            case "delete-lines":
            {
                var lines = text.Split('\n').ToList();
                var start = random.Next(lines.Count);
                var length = 1 + random.Next(Math.Min(6, lines.Count - start));
                lines.RemoveRange(start, length);
                detail = $"@{start + 1}+{length}";
                return string.Join('\n', lines);
            }

            case "duplicate-tokens":
            {
                var tokens = Tokens(text);
                if (tokens.Count == 0)
                {
                    return text;
                }

                var first = random.Next(tokens.Count);
                var last = Math.Min(tokens.Count - 1, first + random.Next(12));
                var start = tokens[first].Span.Start;
                var end = tokens[last].Span.End;
                detail = $"@{start}..{end}";
                return text[..end] + " " + text[start..end] + text[end..];
            }

            case "insert-stray":
            {
                var builder = new StringBuilder(text);
                var insertions = 1 + random.Next(4);
                var positions = new List<int>();
                for (var i = 0; i < insertions; i++)
                {
                    var at = random.Next(builder.Length + 1);
                    var c = random.Next(4) == 0 ? Words[random.Next(Words.Length)] : Stray[random.Next(Stray.Length)].ToString();
                    builder.Insert(at, c);
                    positions.Add(at);
                }

                detail = "@" + string.Join('/', positions);
                return builder.ToString();
            }

            case "remove-async-await":
            {
                var tokens = Tokens(text).Where(t => t.ValueText is "async" or "await").ToList();
                if (tokens.Count == 0)
                {
                    return text;
                }

                // All of them, or a random half.
                var all = random.Next(2) == 0;
                var builder = new StringBuilder(text);
                var removed = 0;
                foreach (var token in tokens.OrderByDescending(t => t.SpanStart))
                {
                    if (all || random.Next(2) == 0)
                    {
                        builder.Remove(token.SpanStart, token.Span.Length);
                        removed++;
                    }
                }

                detail = $"({(all ? "all" : "some")}: {removed})";
                return builder.ToString();
            }

            case "delete-token":
            {
                var tokens = Tokens(text);
                if (tokens.Count == 0)
                {
                    return text;
                }

                var token = tokens[random.Next(tokens.Count)];
                detail = $"@{token.SpanStart} `{token.Text}`";
                return text.Remove(token.SpanStart, token.Span.Length);
            }

            case "swap-tokens":
            {
                var tokens = Tokens(text);
                if (tokens.Count < 2)
                {
                    return text;
                }

                var i = random.Next(tokens.Count - 1);
                var a = tokens[i];
                var b = tokens[i + 1];
                detail = $"@{a.SpanStart}";
                return text[..a.SpanStart] + b.Text + text[a.Span.End..b.SpanStart] + a.Text + text[b.Span.End..];
            }

            case "replace-identifier":
            {
                var tokens = Tokens(text).Where(t => t.IsKind(SyntaxKind.IdentifierToken)).ToList();
                if (tokens.Count == 0)
                {
                    return text;
                }

                var token = tokens[random.Next(tokens.Count)];
                var replacement = random.Next(3) switch { 0 => "Unknown" + random.Next(100), 1 => Words[random.Next(Words.Length)], _ => tokens[random.Next(tokens.Count)].Text };
                detail = $"@{token.SpanStart} `{token.Text}`->`{replacement}`";
                return text[..token.SpanStart] + replacement + text[token.Span.End..];
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static List<SyntaxToken> Tokens(string text) =>
        CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Preview)).GetRoot().DescendantTokens().Where(t => t.Span.Length > 0).ToList();
}
