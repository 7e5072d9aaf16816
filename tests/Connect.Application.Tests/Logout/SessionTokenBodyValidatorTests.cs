using Connect.Application.Introspect;
using Connect.Application.Logout;
using Connect.Application.Refresh;
using Connect.Application.SessionTokens;

namespace Connect.Application.Tests.Logout;

/// <summary>
/// Step 2 of docs/contract/sessions.md for <c>/logout</c>, <c>/introspect</c> and <c>/refresh</c>: a non-empty string of
/// at most 4 KiB, in UTF-8 bytes, the same for the three.
/// </summary>
public sealed class SessionTokenBodyValidatorTests
{
    public static TheoryData<string?, bool> Tokens => new()
    {
        { null, false },
        { "", false },
        { "a", true },
        { new string('a', SessionTokenLimits.MaxTokenBytes), true },
        { new string('a', SessionTokenLimits.MaxTokenBytes + 1), false },
        // 2048 two-byte characters are 4 KiB; one more byte is over, though it is 2049 characters.
        { new string('é', 2048), true },
        { new string('é', 2048) + "a", false },
    };

    [Theory]
    [MemberData(nameof(Tokens))]
    public void Logout_takes_a_non_empty_token_of_at_most_4_KiB(string? token, bool valid)
    {
        var result = new LogoutCommandValidator().Validate(new LogoutCommand(token));

        Assert.Equal(valid, result.IsValid);
    }

    [Theory]
    [MemberData(nameof(Tokens))]
    public void Introspect_takes_a_non_empty_token_of_at_most_4_KiB(string? token, bool valid)
    {
        var result = new IntrospectQueryValidator().Validate(new IntrospectQuery(token));

        Assert.Equal(valid, result.IsValid);
    }

    [Theory]
    [MemberData(nameof(Tokens))]
    public void Refresh_takes_a_non_empty_token_of_at_most_4_KiB(string? token, bool valid)
    {
        var result = new RefreshCommandValidator().Validate(new RefreshCommand(token));

        Assert.Equal(valid, result.IsValid);
    }
}
