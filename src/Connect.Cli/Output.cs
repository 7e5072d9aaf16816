namespace Connect.Cli;

/// <summary>What a command prints: one JSON object on stdout, or one plain line on stderr.</summary>
internal static class Output
{
    public const int Failed = 1;

    /// <summary>The command line itself is wrong (unknown option, missing value, unparsable number or id).</summary>
    public const int UsageError = 2;

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public static int Json(ParseResult parse, object value)
    {
        ArgumentNullException.ThrowIfNull(parse);
        parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(value, WebJson));
        return 0;
    }

    public static int Fail(ParseResult parse, string message)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return Fail(parse.InvocationConfiguration.Error, message);
    }

    /// <summary>Writes <c>connect: message</c> as exactly one line, whatever the message holds.</summary>
    public static int Fail(TextWriter error, string message, int exitCode = Failed)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(message);
        error.WriteLine($"connect: {string.Concat(message.Select(c => BreaksTheLine(c) ? ' ' : c)).Trim()}");
        return exitCode;
    }

    private static bool BreaksTheLine(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
