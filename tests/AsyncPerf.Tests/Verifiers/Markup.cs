using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPerf.Tests.Verifiers;

/// <summary>A span the test expects a diagnostic on; <see cref="Id"/> is null for <c>[|...|]</c>.</summary>
public sealed record MarkupSpan(string? Id, TextSpan Span);

/// <summary>
/// Parses the markup of Microsoft.CodeAnalysis.Testing: <c>[|code|]</c> (the analyzer's only diagnostic) and
/// <c>{|AP2001:code|}</c> (a diagnostic with that ID, also compiler IDs such as <c>{|CS0103:x|}</c>). Markup nests.
/// </summary>
public static class Markup
{
    public static (string Text, IReadOnlyList<MarkupSpan> Spans) Parse(string markup)
    {
        var text = new StringBuilder(markup.Length);
        var spans = new List<MarkupSpan>();
        var open = new Stack<(string? Id, int Start, char Kind)>();

        for (var i = 0; i < markup.Length; i++)
        {
            if (Matches(markup, i, "[|"))
            {
                open.Push((null, text.Length, '['));
                i++;
            }
            else if (Matches(markup, i, "{|") && TryReadId(markup, i + 2, out var id, out var idLength))
            {
                open.Push((id, text.Length, '{'));
                i += 1 + idLength + 1;
            }
            else if ((Matches(markup, i, "|]") || Matches(markup, i, "|}")) && open.Count > 0 && open.Peek().Kind == (markup[i + 1] == ']' ? '[' : '{'))
            {
                var (spanId, start, _) = open.Pop();
                spans.Add(new MarkupSpan(spanId, TextSpan.FromBounds(start, text.Length)));
                i++;
            }
            else
            {
                text.Append(markup[i]);
            }
        }

        if (open.Count > 0)
        {
            throw new InvalidOperationException($"Unclosed markup '{(open.Peek().Kind == '[' ? "[|" : "{|" + open.Peek().Id + ":")}' in test source.");
        }

        return (text.ToString(), spans.OrderBy(s => s.Span.Start).ThenBy(s => s.Span.End).ToList());
    }

    private static bool Matches(string text, int index, string value) =>
        string.CompareOrdinal(text, index, value, 0, value.Length) == 0;

    /// <summary>An ID such as AP1001 or CS0103 followed by ':'.</summary>
    private static bool TryReadId(string text, int start, out string id, out int length)
    {
        var end = start;
        while (end < text.Length && char.IsLetterOrDigit(text[end]))
        {
            end++;
        }

        length = end - start;
        id = text.Substring(start, length);
        return length > 0 && end < text.Length && text[end] == ':' && char.IsLetter(text[start]);
    }
}
