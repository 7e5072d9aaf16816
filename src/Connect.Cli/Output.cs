using System.Text.Json;

namespace Connect.Cli;

/// <summary>What a command prints: one JSON object on stdout, or one plain line on stderr.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public static void Json(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, WebJson));

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"connect: {message}");
        return 1;
    }
}
