using System.Text.Json;

namespace Connect.Cli.Tests;

/// <summary>What one CLI invocation did, with the assertions every command's contract shares.</summary>
public sealed record CliRun(IReadOnlyList<string> Args, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>
    /// Exit 0, nothing on stderr, and stdout exactly one line holding one JSON object with exactly the given
    /// properties, in that order, of the given kinds.
    /// </summary>
    public JsonElement AssertJson(params (string Name, JsonValueKind Kind)[] shape)
    {
        Assert.True(ExitCode == 0, $"connect {string.Join(' ', Args)} exited {ExitCode}: {Stderr}");
        Assert.Equal("", Stderr);
        Assert.EndsWith("\n", Stdout, StringComparison.Ordinal);
        var line = Assert.Single(Lines(Stdout));
        var json = JsonDocument.Parse(line).RootElement.Clone();
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        Assert.Equal(
            shape.Select(property => (property.Name, property.Kind)),
            json.EnumerateObject().Select(property => (property.Name, property.Value.ValueKind)));
        return json;
    }

    /// <summary>Non-zero exit, nothing on stdout, and one plain line on stderr that contains <paramref name="message"/>.</summary>
    public string AssertFailed(string message, int exitCode = 1)
    {
        Assert.Equal(exitCode, ExitCode);
        Assert.Equal("", Stdout);
        var line = Assert.Single(Lines(Stderr));
        Assert.StartsWith("connect: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Stderr, StringComparison.Ordinal);
        return line;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
