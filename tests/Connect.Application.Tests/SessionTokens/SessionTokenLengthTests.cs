using Connect.Application.SessionTokens;
using Connect.Testing.SessionTokens;

namespace Connect.Application.Tests.SessionTokens;

/// <summary>
/// The one length rule of a session token (<see cref="SessionTokenLimits.IsWithinMaxLength"/>): at most 4096 bytes of
/// UTF-8, however many characters that is.
/// </summary>
public sealed class SessionTokenLengthTests
{
    public static TheoryData<string, bool> Strings => new()
    {
        { "", true },
        { new string('A', 4096), true },
        { new string('A', 4097), false },
        // Two bytes a character: 4096 bytes in 2048 characters, then one byte over in 2049.
        { new string('é', 2048), true },
        { new string('é', 2048) + "A", false },
        // Three bytes a character, and a surrogate pair's four bytes in two characters.
        { new string('€', 1365) + "A", true },
        { new string('€', 1366), false },
        { string.Concat(Enumerable.Repeat("😀", 1024)), true },
        { string.Concat(Enumerable.Repeat("😀", 1024)) + "A", false },
        // A lone surrogate has no UTF-8: it counts as the three bytes of the replacement character.
        { new string('A', 4093) + "\ud800", true },
        { new string('A', 4094) + "\ud800", false },
    };

    [Theory]
    [MemberData(nameof(Strings))]
    public void A_token_is_within_the_bound_by_its_UTF8_bytes_not_its_characters(string token, bool within)
    {
        Assert.Equal(within, SessionTokenLimits.IsWithinMaxLength(token));
    }

    [Fact]
    public void The_shared_strings_of_the_endpoint_tests_sit_where_they_say()
    {
        Assert.All(TokenLengths.AtTheBound, token => Assert.True(SessionTokenLimits.IsWithinMaxLength(token)));
        Assert.All(TokenLengths.OverTheBound, token => Assert.False(SessionTokenLimits.IsWithinMaxLength(token)));
    }
}
