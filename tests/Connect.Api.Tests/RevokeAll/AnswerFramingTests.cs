using System.Globalization;
using Connect.Api.Tests.Attacks;

namespace Connect.Api.Tests.RevokeAll;

/// <summary>
/// Answers go out whole, framed by their Content-Length: a twenty-byte body sent chunked would cost the server
/// a second send and every client a second read. And none of them may be kept by a cache.
/// </summary>
public sealed class AnswerFramingTests(AttackTarget target) : IClassFixture<AttackTarget>
{
    [Fact]
    public async Task Revoked_answer_is_framed_by_its_length_and_not_cached()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendRawAsync(RawHttp.Post(
            ["Content-Type: application/json", "Authorization: " + target.NewJwt(victim.Body).AuthorizationHeader()], victim.Body));

        RawAssert.Revoked(response, 2);
        AssertWholeJsonAnswer(response);
    }

    [Fact]
    public async Task Reason_answer_is_framed_by_its_length_and_not_cached()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendRawAsync(RawHttp.Post(["Content-Type: application/json"], victim.Body));

        RawAssert.Reason(response, 401, "ClientJwtMissing");
        AssertWholeJsonAnswer(response);
    }

    private static void AssertWholeJsonAnswer(RawResponse response)
    {
        Assert.Null(response.Header("Transfer-Encoding"));
        Assert.Equal(response.Body.Length.ToString(CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal("no-store", response.Header("Cache-Control"));
    }
}
