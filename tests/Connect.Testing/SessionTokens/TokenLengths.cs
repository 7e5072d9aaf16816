using System.Text;

namespace Connect.Testing.SessionTokens;

/// <summary>
/// Strings at and just over docs/contract/sessions.md's 4 KiB bound of a session token, some whose characters and
/// bytes differ: every site that measures a token must put each of them on the same side (docs/decisions.md,
/// "One length rule for session tokens"). None is a token, so each is refused later for what it is.
/// </summary>
public static class TokenLengths
{
    /// <summary>4096 bytes each: 4096 ASCII characters; 2048 two-byte characters.</summary>
    public static IReadOnlyList<string> AtTheBound { get; } = [new string('A', 4096), new string('é', 2048)];

    /// <summary>
    /// 4097 bytes each: 4097 ASCII characters; 2048 two-byte characters and one ASCII (2049 characters, well under
    /// 4096, so a count of characters would let it through).
    /// </summary>
    public static IReadOnlyList<string> OverTheBound { get; } = [new string('A', 4097), new string('é', 2048) + "A"];

    /// <summary>How a string is named in a failure message, rather than printed whole.</summary>
    public static string Describe(string value) =>
        $"{value.Length} characters, {Encoding.UTF8.GetByteCount(value)} bytes";

    /// <summary>An endpoint's answer to each string, at the bound first, as <c>"described: status body"</c>.</summary>
    public static async Task<IReadOnlyList<string>> AnswersAsync(Func<string, Task<HttpResponseMessage>> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        var answers = new List<string>();
        foreach (var value in AtTheBound.Concat(OverTheBound))
        {
            using var response = await send(value);
            answers.Add($"{Describe(value)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return answers;
    }

    /// <summary>What <see cref="AnswersAsync"/> gives when every string at the bound and every one over it is answered alike.</summary>
    public static IReadOnlyList<string> Alike(string atTheBound, string overTheBound) =>
    [
        .. AtTheBound.Select(value => $"{Describe(value)}: {atTheBound}"),
        .. OverTheBound.Select(value => $"{Describe(value)}: {overTheBound}"),
    ];
}
