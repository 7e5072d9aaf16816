using Connect.Application.ClientAuthentication;
using Connect.Application.SessionTokens;
using Connect.Testing.SessionTokens;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>
/// The one length rule of a client JWT (<see cref="ClientJwtLimits.IsWithinMaxLength"/>): at most 4096 bytes of
/// UTF-8, however many characters that is, and the very count a session token is measured with.
/// </summary>
public sealed class ClientJwtLengthTests
{
    public static TheoryData<string, bool> Strings => new()
    {
        { "", true },
        { new string('A', 4096), true },
        { new string('A', 4097), false },
        // Two bytes a character: 4096 bytes in 2048 characters, one byte over in 2049 (a count of characters let it by).
        { new string('é', 2048), true },
        { new string('é', 2048) + "A", false },
        { new string('€', 1365) + "A", true },
        { new string('€', 1366), false },
        // A lone surrogate has no UTF-8: it counts as the three bytes of the replacement character.
        { new string('A', 4093) + "\ud800", true },
        { new string('A', 4094) + "\ud800", false },
    };

    [Theory]
    [MemberData(nameof(Strings))]
    public void A_client_JWT_is_within_the_bound_by_its_UTF8_bytes_not_its_characters(string token, bool within)
    {
        Assert.Equal(within, ClientJwtLimits.IsWithinMaxLength(token));
    }

    [Fact]
    public void A_client_JWT_and_a_session_token_put_every_shared_string_on_the_same_side()
    {
        Assert.Equal(SessionTokenLimits.MaxTokenBytes, ClientJwtLimits.MaxTokenBytes);
        Assert.All(
            TokenLengths.AtTheBound.Concat(TokenLengths.OverTheBound),
            token => Assert.Equal(SessionTokenLimits.IsWithinMaxLength(token), ClientJwtLimits.IsWithinMaxLength(token)));
    }
}
