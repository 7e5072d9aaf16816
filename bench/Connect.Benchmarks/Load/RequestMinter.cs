using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Connect.Application.ClientAuthentication;
using Connect.Benchmarks.Data;
using Connect.Load;

namespace Connect.Benchmarks.Load;

/// <summary>One request ready to go on the wire, the target it names (a pair, a session), and the answer it must get.</summary>
internal sealed record PreparedRequest(int Target, Expectation Expected, byte[] Bytes);

/// <summary>
/// Builds complete HTTP/1.1 requests as an official SDK would send them: the body <c>{"subject":"..."}</c> and a
/// fresh client JWT from the service's own <see cref="ClientJwtMinter"/>. Signing is the client's cost, so it happens
/// here, before the timed window, for one batch at a time (a JWT lives at most 60 s).
/// </summary>
internal sealed class RequestMinter(DataShape shape, IReadOnlyList<RSAParameters> keys, int port)
{
    public const long LifetimeSeconds = ClientJwtMinter.LifetimeSeconds;

    public PreparedRequest[] Mint(IReadOnlyList<int> pairs, DateTimeOffset issuedAt)
    {
        var requests = new PreparedRequest[pairs.Count];
        using var signers = new ThreadLocal<RSA[]>(
            () => keys.Select(parameters =>
            {
                var rsa = RSA.Create();
                rsa.ImportParameters(parameters);
                return rsa;
            }).ToArray(),
            trackAllValues: true);
        try
        {
            Parallel.For(
                0,
                pairs.Count,
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => requests[i] = Build(pairs[i], issuedAt, signers.Value!));
        }
        finally
        {
            foreach (var rsa in signers.Values.SelectMany(set => set))
            {
                rsa.Dispose();
            }
        }

        return requests;
    }

    private PreparedRequest Build(int pair, DateTimeOffset issuedAt, RSA[] signers)
    {
        var application = shape.ApplicationOf(pair);
        var body = ClientRequests.RevokeAllBody(DataShape.Subject(pair));

        var token = ClientJwtMinter.Mint(DataShape.Anchor(application), signers[application % signers.Length], body, issuedAt);

        var head = string.Create(CultureInfo.InvariantCulture, $"""
            POST {ClientRequests.RevokeAllPath} HTTP/1.1
            Host: 127.0.0.1:{port}
            Content-Type: application/json
            Authorization: {ClientRequests.Authorization(token)}
            Content-Length: {body.Length}


            """).ReplaceLineEndings("\r\n");
        var bytes = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
        var written = Encoding.ASCII.GetBytes(head, bytes);
        body.CopyTo(bytes, written);
        return new PreparedRequest(pair, Expectation.RevokedCount(DataShape.TokensOf(pair)), bytes);
    }
}
