using Microsoft.CodeAnalysis.Text;

namespace AsyncPerf.Tests.Verifiers;

/// <summary>An expected diagnostic, as in Microsoft.CodeAnalysis.Testing (the parts this project uses).</summary>
public readonly record struct DiagnosticResult(string Id)
{
    public LinePositionSpan? Span { get; init; }
    public string? Path { get; init; }
    public object[]? MessageArguments { get; init; }
    public string? Message { get; init; }
    public Microsoft.CodeAnalysis.DiagnosticSeverity? Severity { get; init; }

    public DiagnosticResult WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity severity) => this with { Severity = severity };

    public DiagnosticResult WithSpan(int startLine, int startColumn, int endLine, int endColumn) =>
        this with { Span = new LinePositionSpan(new LinePosition(startLine - 1, startColumn - 1), new LinePosition(endLine - 1, endColumn - 1)) };

    public DiagnosticResult WithArguments(params object[] arguments) => this with { MessageArguments = arguments };

    public DiagnosticResult WithMessage(string message) => this with { Message = message };

    public DiagnosticResult InFile(string path) => this with { Path = path };

    public override string ToString() =>
        Id + (Span is { } span ? $" at {Path ?? "Test0.cs"}({span.Start.Line + 1},{span.Start.Character + 1})-({span.End.Line + 1},{span.End.Character + 1})" : string.Empty)
        + (Severity is not null ? $" [{Severity}]" : string.Empty)
        + (Message is not null ? $" \"{Message}\"" : string.Empty);
}
