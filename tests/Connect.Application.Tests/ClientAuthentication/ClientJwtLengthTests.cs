using Connect.Application.ClientAuthentication;
using Connect.Application.SessionTokens;
using Connect.Application.Tests.SessionTokens;
using Connect.Testing.SessionTokens;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>
/// The one length rule of a client JWT (<see cref="ClientJwtLimits.IsWithinMaxLength"/>): at most 4096 bytes of
/// UTF-8, however many characters that is, and the very count a session token is measured with.
/// </summary>
public sealed class ClientJwtLengthTests
{
    [Theory]
    // The session token's strings: the two kinds of token must put each on the same side.
    [MemberData(nameof(SessionTokenLengthTests.Strings), MemberType = typeof(SessionTokenLengthTests))]
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
