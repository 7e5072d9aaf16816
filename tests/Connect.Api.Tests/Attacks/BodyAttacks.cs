using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// The body itself, correctly signed: every InvalidBody case of the contract, broken UTF-8 and UTF-16, and
/// the framing and limits as Kestrel sees them (Content-Length, chunked, oversize either way, Content-Type,
/// Content-Encoding). An authenticated request with a bad body spends its jti; one refused for size or media
/// type before authentication spends nothing.
/// </summary>
[TestCaseOrderer(ControlLastOrderer.TypeName, ControlLastOrderer.AssemblyName)]
public sealed class BodyAttacks(AttackTarget target) : IClassFixture<AttackTarget>
{
    private const int Limit = 4096;

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("[{\"subject\":\"{s}\"}]")]
    [InlineData("\"{s}\"")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("{}")]
    [InlineData("{\"subject\":null}")]
    [InlineData("{\"subject\":42}")]
    [InlineData("{\"subject\":true}")]
    [InlineData("{\"subject\":[\"{s}\"]}")]
    [InlineData("{\"subject\":{\"id\":\"{s}\"}}")]
    [InlineData("{\"subject\":\"\"}")]
    [InlineData("{\"subject\":\"   \"}")]
    [InlineData("{\"subject\":\"{256}\"}")]
    [InlineData("{\"subject\":\"{s}\",\"subject\":\"{s}\"}")]
    [InlineData("{\"subject\":\"other\",\"\\u0073ubject\":\"{s}\"}")]
    [InlineData("{\"subject\":\"{s}\",\"x\":{\"y\":{\"a\":1,\"a\":2}}}")]
    [InlineData("{\"subject\":\"{s}\",\"x\":\"\\ud800\"}")]
    [InlineData("{\"subject\":\"{s}\",\"deep\":{9}}")]
    [InlineData("{\"Subject\":\"{s}\"}")]
    [InlineData("{\"subject\":\"{s}\"} trailing")]
    [InlineData("{\"subject\":\"{s}\"}{\"subject\":\"{s}\"}")]
    [InlineData("{\"subject\":\"{s}\",}")]
    [InlineData("{\"subject\":\"{s}\"/* c */}")]
    [InlineData("{'subject':'{s}'}")]
    [InlineData("{subject:\"{s}\"}")]
    [InlineData("{\"subject\":\"{s}\",\"n\":NaN}")]
    [InlineData("{\"subject\":\"{s}\",\"deep\":{17}}")]
    [InlineData("{\"subject\":\"{s}\\u0000\"}")]
    [InlineData("{\"subject\":\"\\t{s}\"}")]
    [InlineData("{\"subject\":\"{s}\\u0085\"}")]
    [InlineData("{\"subject\":\"\\ud800\"}")]
    [InlineData("{\"subject\":\"{s}\\udc00\\ud800\"}")]
    [InlineData("{\"subject\":\"\\ufffd\"}")]
    [InlineData("{\"subject\":\"{s}\\x41\"}")]
    public async Task Body_the_contract_calls_invalid_is_400_InvalidBody_without_detail(string template)
    {
        var victim = await target.NewVictimAsync();
        var body = Encoding.UTF8.GetBytes(template
            .Replace("{s}", victim.Subject, StringComparison.Ordinal)
            .Replace("{256}", new string('s', 256), StringComparison.Ordinal)
            .Replace("{17}", new string('[', 17) + new string(']', 17), StringComparison.Ordinal)
            .Replace("{9}", new string('[', 8) + new string(']', 8), StringComparison.Ordinal));

        await AssertInvalidBodyAsync(victim, body);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xED, 0xB0, 0x80, 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xE2, 0x82 })]
    public async Task Subject_that_is_not_valid_UTF8_is_400_InvalidBody(byte[] bad)
    {
        var victim = await target.NewVictimAsync();
        byte[] body = [.. Encoding.UTF8.GetBytes($$"""{"subject":"{{victim.Subject}}"""), .. bad, .. "\"}"u8];

        await AssertInvalidBodyAsync(victim, body);
    }

    [Fact]
    public async Task Subject_of_255_characters_is_valid_and_names_nobody()
    {
        var victim = await target.NewVictimAsync();
        var body = RevokeAllBodies(new string('s', 255));

        var response = await target.SendAsync(target.NewJwt(body), body);

        await ApiAssert.RevokedAsync(response, 0);
        await target.AssertUntouchedAsync(victim, burned: 1);
    }

    [Theory]
    [InlineData(1, Limit)]
    [InlineData(7, 4000)]
    [InlineData(7, Limit)]
    [InlineData(Limit, Limit)]
    [InlineData(null, Limit)]
    public async Task Body_within_the_limit_is_read_whole_however_it_is_framed(int? chunkSize, int length)
    {
        // Regression: Kestrel's own body limit counts chunk framing, so a chunked body within the limit was 413.
        var victim = await target.NewVictimAsync();
        var body = PaddedTo(victim.Body, length);

        var response = await target.SendRawAsync(RawHttp.Post(
            ["Content-Type: application/json", "Authorization: " + target.NewJwt(body).AuthorizationHeader()], body, chunkSize));

        RawAssert.Revoked(response, 2);
        Assert.Equal(new(0, 2, 0), await target.Db.CountSessionsAsync(victim.Account, target.App.Id));
        Assert.Equal(victim.ReplaysBefore + 1, await target.ReplayRecordsAsync(target.App.Id));
    }

    [Fact]
    public async Task Streamed_body_without_a_length_is_read_whole()
    {
        var victim = await target.NewVictimAsync();
        using var content = new StreamContent(new NoLengthStream(victim.Body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/revoke-all") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", target.NewJwt(victim.Body).AuthorizationHeader());

        var response = await target.Client.SendAsync(request);

        Assert.True(request.Headers.TransferEncodingChunked);
        await target.AssertRevokedAsync(victim, response);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(1000, true)]
    [InlineData(1, false)]
    [InlineData(null, false)]
    public async Task Body_one_byte_over_the_limit_is_413_before_authentication(int? chunkSize, bool withJwt)
    {
        var victim = await target.NewVictimAsync();
        var body = PaddedTo(victim.Body, Limit + 1);
        List<string> headers = ["Content-Type: application/json"];
        if (withJwt)
        {
            headers.Add("Authorization: " + target.NewJwt(body).AuthorizationHeader());
        }

        var response = await target.SendRawAsync(RawHttp.Post(headers, body, chunkSize));

        RawAssert.Reason(response, 413, "BodyTooLarge");
        await target.AssertUntouchedAsync(victim);
    }

    [Fact]
    public async Task Body_of_64_KiB_chunked_is_413()
    {
        var victim = await target.NewVictimAsync();
        var body = PaddedTo(victim.Body, 64 * 1024);

        var response = await target.SendRawAsync(RawHttp.Post(
            ["Content-Type: application/json", "Authorization: " + target.NewJwt(body).AuthorizationHeader()], body, 8192));

        RawAssert.Reason(response, 413, "BodyTooLarge");
        await target.AssertUntouchedAsync(victim);
    }

    [Fact]
    public async Task Content_Length_announcing_a_gigabyte_is_413_without_waiting_for_it()
    {
        var victim = await target.NewVictimAsync();
        var head = "POST /revoke-all HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n";
        byte[] request = [.. Encoding.ASCII.GetBytes(head), .. victim.Body];

        var response = await target.SendRawAsync(request);

        RawAssert.Reason(response, 413, "BodyTooLarge");
        await target.AssertUntouchedAsync(victim);
    }

    [Theory]
    [InlineData("zz\r\n{0}\r\n0\r\n\r\n")] // a chunk size that is not hexadecimal
    [InlineData("3\r\n{0}\r\n0\r\n\r\n")] // more bytes than the chunk's size says: no CRLF where it ends
    public async Task Broken_chunked_framing_is_400_InvalidBody_before_authentication(string framing)
    {
        // The client's doing, found while the body is read: the contract's 400, never the private 500 (and never an
        // error with a stack trace in the log), and nothing authenticated or spent.
        var victim = await target.NewVictimAsync();
        var request = Encoding.ASCII.GetBytes(
            SignedHead(victim.Body, "Transfer-Encoding: chunked")
            + string.Format(CultureInfo.InvariantCulture, framing, Encoding.UTF8.GetString(victim.Body)));

        var response = await target.SendRawAsync(request);

        RawAssert.Reason(response, 400, "InvalidBody");
        await target.AssertUntouchedAsync(victim);
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_400_InvalidBody_once_the_server_stops_waiting()
    {
        // Fewer bytes than Content-Length and then silence: Kestrel gives up at its minimum data rate (after its
        // grace period of a few seconds) and the request is refused as any unreadable body is.
        var victim = await target.NewVictimAsync();
        byte[] request = [.. Encoding.ASCII.GetBytes(SignedHead(victim.Body, $"Content-Length: {victim.Body.Length + 100}")), .. victim.Body];

        var response = await target.SendRawAsync(request);

        RawAssert.Reason(response, 400, "InvalidBody");
        await target.AssertUntouchedAsync(victim);
    }

    [Fact]
    public async Task Content_Length_beside_chunked_framing_is_ignored_and_the_chunked_bytes_are_verified()
    {
        // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length. Honouring "5" would hash '{"sub' instead.
        var victim = await target.NewVictimAsync();
        var smuggled = RawHttp.Post(
            ["Content-Type: application/json", "Authorization: " + target.NewJwt(victim.Body).AuthorizationHeader(), "Content-Length: 5"],
            victim.Body,
            chunkSize: 16);

        var response = await target.SendRawAsync(smuggled);

        RawAssert.Revoked(response, 2);
        Assert.Equal(new(0, 2, 0), await target.Db.CountSessionsAsync(victim.Account, target.App.Id));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    [InlineData("identity")]
    public async Task Content_Encoding_is_415_before_authentication(string encoding)
    {
        var victim = await target.NewVictimAsync();
        var body = encoding == "gzip" ? Gzip(victim.Body) : victim.Body;
        var request = RawHttp.Post(
            ["Content-Type: application/json", $"Content-Encoding: {encoding}", "Authorization: " + target.NewJwt(body).AuthorizationHeader()],
            body);

        var response = await target.SendRawAsync(request);

        RawAssert.Reason(response, 415, "UnsupportedMediaType");
        await target.AssertUntouchedAsync(victim);
    }

    [Fact]
    public async Task Compressed_transfer_coding_is_never_inflated()
    {
        // Kestrel removes only the chunked framing: the signed gzip bytes reach the parser as they are.
        var victim = await target.NewVictimAsync();
        var body = Gzip(victim.Body);
        byte[] request =
            [.. Encoding.ASCII.GetBytes($"{SignedHead(body, "Transfer-Encoding: gzip, chunked")}{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8];

        var response = await target.SendRawAsync(request);

        RawAssert.Reason(response, 400, "InvalidBody");
        await target.AssertUntouchedAsync(victim, burned: 1);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("text/json")]
    [InlineData("application/jsonx")]
    [InlineData("application/json-patch+json")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=latin1")]
    [InlineData("application/json; charset=utf-8; boundary=x")]
    [InlineData("application/json; q=1")]
    [InlineData("application/json, text/plain")]
    [InlineData("application/*")]
    [InlineData("*/*")]
    public async Task Content_Type_other_than_json_is_415_before_authentication(string? contentType)
    {
        var victim = await target.NewVictimAsync();
        List<string> headers = ["Authorization: " + target.NewJwt(victim.Body).AuthorizationHeader()];
        if (contentType is not null)
        {
            headers.Add($"Content-Type: {contentType}");
        }

        var response = await target.SendRawAsync(RawHttp.Post(headers, victim.Body));

        RawAssert.Reason(response, 415, "UnsupportedMediaType");
        await target.AssertUntouchedAsync(victim);
    }

    [Fact]
    public async Task Two_Content_Type_headers_are_415()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendRawAsync(RawHttp.Post(
            ["Content-Type: application/json", "Content-Type: application/json", "Authorization: " + target.NewJwt(victim.Body).AuthorizationHeader()],
            victim.Body));

        RawAssert.Reason(response, 415, "UnsupportedMediaType");
        await target.AssertUntouchedAsync(victim);
    }

    [Fact]
    [Control]
    public async Task Genuine_request_still_succeeds_after_the_body_attacks()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendAsync(target.NewJwt(victim.Body), victim.Body);

        await target.AssertRevokedAsync(victim, response);
    }

    private async Task AssertInvalidBodyAsync(Victim victim, byte[] body)
    {
        var response = await target.SendAsync(target.NewJwt(body), body);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "InvalidBody");
        await target.AssertUntouchedAsync(victim, burned: 1);
    }

    private static byte[] RevokeAllBodies(string subject) => Testing.ClientJwts.RevokeAllBodies.For(subject);

    /// <summary>The body followed by JSON whitespace up to exactly <paramref name="length"/> bytes.</summary>
    /// <summary>A revoke-all's head, signed for <paramref name="body"/>, framed by <paramref name="framing"/> as given.</summary>
    private string SignedHead(byte[] body, string framing) =>
        "POST /revoke-all HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
        + $"Authorization: {target.NewJwt(body).AuthorizationHeader()}\r\n{framing}\r\n\r\n";

    private static byte[] PaddedTo(byte[] body, int length) => [.. body, .. Enumerable.Repeat((byte)' ', length - body.Length)];

    private static byte[] Gzip(byte[] body)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal))
        {
            gzip.Write(body);
        }

        return compressed.ToArray();
    }

    /// <summary>A readable stream that will not tell its length, so HttpClient must send it chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
