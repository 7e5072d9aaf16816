using System.Net;
using System.Text.Json;

namespace Connect.Api.Tests;

internal static class ApiAssert
{
    /// <summary>The contract's error answer: the status, JSON content and exactly <c>{"reason":"..."}</c>.</summary>
    public static async Task ReasonAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((status, $$"""{"reason":"{{reason}}"}"""), (response.StatusCode, body));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("SudomimusClientJWT", response.Headers.WwwAuthenticate.ToString());
        }
    }

    public static async Task RevokedAsync(HttpResponseMessage response, int expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode.OK, $$"""{"revokedCount":{{expected}}}"""), (response.StatusCode, body));
    }

    public static async Task EmptyAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal((status, 0), (response.StatusCode, body.Length));
    }

    public static async Task<int> RevokedCountAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("revokedCount").GetInt32();
    }
}
