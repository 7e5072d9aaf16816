using Connect.Api.Authentication;
using Connect.Testing.SessionTokens;
using Microsoft.Extensions.Primitives;

namespace Connect.Api.Tests.Authentication;

public sealed class BearerTokenTests
{
    [Theory]
    [InlineData("Bearer abc.def.ghi", "abc.def.ghi")]
    [InlineData("bearer abc.def.ghi", "abc.def.ghi")]
    [InlineData("BEARER abc.def.ghi", "abc.def.ghi")]
    [InlineData("Bearer    abc.def.ghi", "abc.def.ghi")]
    public void Token_follows_the_case_insensitive_scheme_and_one_or_more_spaces(string header, string token) =>
        Assert.Equal(token, BearerToken.From(new StringValues(header)));

    [Theory]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer   ")]
    [InlineData("Bearerabc.def.ghi")]
    [InlineData("Basic abc.def.ghi")]
    [InlineData("SudomimusClientJWT abc.def.ghi")]
    [InlineData(" Bearer abc.def.ghi")]
    [InlineData("Bearer abc.def.ghi ")]
    [InlineData("Bearer abc def")]
    [InlineData("Bearer abc\tdef")]
    [InlineData("Bearer\tabc.def.ghi")]
    public void Anything_else_is_no_token(string header) =>
        Assert.Null(BearerToken.From(new StringValues(header)));

    [Fact]
    public void No_header_and_two_headers_are_no_token()
    {
        Assert.Null(BearerToken.From(StringValues.Empty));
        Assert.Null(BearerToken.From(new StringValues(["Bearer a.b.c", "Bearer a.b.c"])));
    }

    [Fact]
    public void Token_longer_than_a_session_token_may_be_is_no_token()
    {
        Assert.NotNull(BearerToken.From(new StringValues("Bearer " + new string('a', 4096))));
        Assert.Null(BearerToken.From(new StringValues("Bearer " + new string('a', 4097))));
    }

    [Fact]
    public void Token_is_measured_in_UTF8_bytes_as_the_bodies_tokens_are()
    {
        Assert.All(TokenLengths.AtTheBound, token => Assert.Equal(token, BearerToken.From(new StringValues("Bearer " + token))));
        Assert.All(TokenLengths.OverTheBound, token => Assert.Null(BearerToken.From(new StringValues("Bearer " + token))));
    }

    [Fact]
    public void Spaces_after_the_scheme_are_not_part_of_the_token_measured()
    {
        var token = new string('a', 4096);

        Assert.Equal(token, BearerToken.From(new StringValues("Bearer    " + token)));
    }
}
