using System.Text.Json;
using System.Text.RegularExpressions;
using Connect.Testing;

namespace Connect.Api.Tests.OpenApi;

/// <summary>
/// docs/openapi.json (the committed served document) checked against the contract's words in docs/contract/*.md,
/// never against the code that generated it: a reason missing from a controller's list and from the document alike
/// passes a test that compares the two, and fails here. The contract is prose with tables, so it is read the way a
/// person reads it: each endpoint's section (the heading that names <c>`METHOD /path`</c>, or the section of its
/// first mention), the <c>`401 Reason`</c> pairs and <c>| 400 | `Reason`, ... |</c> rows in it, bare statuses "as for"
/// another endpoint, "authenticated exactly as" <c>/revoke-all</c>, and sentences elsewhere that say
/// "<c>`/refresh`</c> and <c>`/redeem`</c> answer <c>`403 AccountDisabled`</c>".
/// </summary>
public sealed partial class ContractOpenApiTests
{
    private static readonly Lazy<Contract> Read = new(() => Contract.Parse(Checkout.PathOf("docs")));

    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Checkout.PathOf("docs", "openapi.json"))));

    /// <summary>
    /// Answers the contract leaves to docs/decisions.md, which any endpoint may document besides the contract's own:
    /// every endpoint has a budget (429, "Budgets per session, reads by anchor, ..." and "A budget per client address"),
    /// a database that does not answer (503) and the private 500 ("Errors"); every endpoint that takes a JSON body
    /// has the shared body gate (400 <c>InvalidBody</c>, 413, 415: "The shared HTTP edge").
    /// </summary>
    private static Dictionary<string, string[]> ServiceWide(string method) =>
        method == "POST"
            ? new Dictionary<string, string[]>
            {
                ["400"] = ["InvalidBody"], ["413"] = ["BodyTooLarge"], ["415"] = ["UnsupportedMediaType"],
                ["429"] = ["RateLimited"], ["500"] = [], ["503"] = ["ServiceUnavailable"],
            }
            : new Dictionary<string, string[]> { ["429"] = ["RateLimited"], ["500"] = [], ["503"] = ["ServiceUnavailable"] };

    private static JsonElement Paths => Document.Value.RootElement.GetProperty("paths");

    [Fact]
    public void The_contract_is_read_as_it_is_written()
    {
        // What the reader must find, so that a change in how the contract is written cannot make the checks vacuous.
        var contract = Read.Value;
        Assert.Equal(
            ["GET /applications/{anchor}/jwks.json", "GET /claim-state", "GET /health", "GET /sign-in", "GET /userinfo",
             "POST /establish", "POST /info", "POST /introspect", "POST /logout", "POST /redeem", "POST /refresh",
             "POST /revoke-all", "POST /status-poll"],
            contract.Endpoints.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(11, contract.Endpoints["POST /revoke-all"].Reasons["401"].Count);
        Assert.Equal(contract.Endpoints["POST /revoke-all"].Reasons["401"], contract.Endpoints["POST /establish"].Reasons["401"]);
        Assert.Equal(["AccountDisabled", "ApplicationDisabled"], contract.Endpoints["POST /refresh"].Reasons["403"].Order(StringComparer.Ordinal));
        Assert.Equal(6, contract.Endpoints["POST /redeem"].Reasons["400"].Count);
        Assert.Equal(["BodyTooLarge"], contract.Endpoints["POST /logout"].Reasons["413"]);
        Assert.Equal("""{"error":"invalid_token"}""", contract.Endpoints["GET /userinfo"].Bodies["401"]);
        Assert.Contains("RefreshTokenRotationRaceLost", contract.PrivateReasons);
        Assert.Contains("500", contract.Endpoints["POST /revoke-all"].PrivateStatuses);
        Assert.Equal(12, contract.OperationIds.Count);
    }

    [Fact]
    public void Every_endpoint_the_contract_names_is_documented_with_its_method()
    {
        foreach (var (_, endpoint) in Read.Value.ApiEndpoints)
        {
            Assert.True(
                Paths.TryGetProperty(endpoint.Path, out var path) && path.TryGetProperty(endpoint.Method.ToLowerInvariant(), out _),
                $"{endpoint.Method} {endpoint.Path} is named by the contract but not in docs/openapi.json");
        }
    }

    [Fact]
    public void The_sign_in_page_is_no_part_of_the_api_document()
    {
        Assert.Contains("GET /sign-in", Read.Value.Endpoints.Keys);

        Assert.DoesNotContain(Paths.EnumerateObject(), path => path.Name.StartsWith(Contract.SignInPage, StringComparison.Ordinal));
    }

    [Fact]
    public void Operation_ids_are_exactly_the_upstream_names_and_a_one_segment_route_is_named_after_itself()
    {
        var documented = Operations().Where(operation => operation.Body.TryGetProperty("operationId", out _))
            .ToDictionary(operation => operation.Body.GetProperty("operationId").GetString()!, operation => operation.Path);

        Assert.Equal(Read.Value.OperationIds.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, path) in documented)
        {
            var segments = path.Trim('/').Split('/');
            if (segments.Length == 1)
            {
                Assert.Equal(CamelCase(segments[0]), id);
            }
        }

        // Every endpoint the contract names as an API (not the sign-in page's HTML) carries one.
        foreach (var (_, endpoint) in Read.Value.ApiEndpoints)
        {
            Assert.True(Operation(endpoint).TryGetProperty("operationId", out _), $"{endpoint.Path} has no operationId");
        }
    }

    [Fact]
    public void Every_reason_the_contract_gives_an_endpoint_is_listed_under_its_status()
    {
        foreach (var (_, endpoint) in Read.Value.ApiEndpoints)
        {
            var responses = Operation(endpoint).GetProperty("responses");
            foreach (var (status, reasons) in endpoint.Reasons)
            {
                Assert.True(responses.TryGetProperty(status, out var response), $"{endpoint.Method} {endpoint.Path} does not document {status}");
                var listed = ReasonsOf(response);
                Assert.All(reasons, reason => Assert.True(
                    listed.Contains(reason), $"{endpoint.Method} {endpoint.Path} {status} does not list {reason}, which the contract gives it"));
            }

            foreach (var status in endpoint.Bodies.Keys.Concat(endpoint.PrivateStatuses))
            {
                Assert.True(responses.TryGetProperty(status, out _), $"{endpoint.Method} {endpoint.Path} does not document {status}");
            }
        }
    }

    [Fact]
    public void An_endpoint_documents_no_status_or_reason_beyond_the_contracts_and_the_service_wide_answers()
    {
        foreach (var (_, endpoint) in Read.Value.ApiEndpoints)
        {
            var allowed = ServiceWide(endpoint.Method);
            foreach (var response in Operation(endpoint).GetProperty("responses").EnumerateObject().Where(response => response.Name[0] is '4' or '5'))
            {
                var status = response.Name;
                var contractual = endpoint.Reasons.GetValueOrDefault(status) ?? [];
                Assert.True(
                    contractual.Count > 0 || endpoint.Bodies.ContainsKey(status) || endpoint.PrivateStatuses.Contains(status) || allowed.ContainsKey(status),
                    $"{endpoint.Method} {endpoint.Path} documents {status}, which neither the contract nor docs/decisions.md gives it");
                var extra = ReasonsOf(response.Value).Except(contractual).Except(allowed.GetValueOrDefault(status) ?? []).ToList();
                Assert.True(extra.Count == 0, $"{endpoint.Method} {endpoint.Path} {status} lists {string.Join(", ", extra)}, which the contract does not give it");
            }
        }
    }

    [Fact]
    public void Private_reasons_are_never_listed_and_a_private_status_has_no_body()
    {
        var contract = Read.Value;
        foreach (var (path, method, operation) in Operations())
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject())
            {
                Assert.Empty(ReasonsOf(response.Value).Intersect(contract.PrivateReasons));
                if (response.Name == "500")
                {
                    Assert.False(response.Value.TryGetProperty("content", out _), $"{method} {path} 500 is private: a zero-byte body");
                }
            }
        }
    }

    [Fact]
    public void Error_bodies_have_the_shape_the_contract_gives()
    {
        foreach (var (_, endpoint) in Read.Value.ApiEndpoints)
        {
            var responses = Operation(endpoint).GetProperty("responses");
            foreach (var (status, body) in endpoint.Bodies)
            {
                var schema = Schema(responses.GetProperty(status));
                using var expected = JsonDocument.Parse(body);
                var member = Assert.Single(expected.RootElement.EnumerateObject());
                var conforms = schema is { } shape
                    && shape.TryGetProperty("properties", out var properties)
                    && properties.EnumerateObject().Select(property => property.Name).SequenceEqual([member.Name])
                    && properties.GetProperty(member.Name).TryGetProperty("enum", out var values)
                    && values.EnumerateArray().Select(value => value.GetString()).SequenceEqual([member.Value.GetString()]);
                Assert.True(
                    conforms,
                    $"{endpoint.Method} {endpoint.Path} {status}: the contract's body is {body}");
            }

            // Every other error the contract gives is {"reason":...}.
            foreach (var status in endpoint.Reasons.Keys.Where(status => !endpoint.Bodies.ContainsKey(status)))
            {
                var schema = Schema(responses.GetProperty(status));
                Assert.True(
                    schema is { } shape && shape.GetProperty("properties").EnumerateObject().Select(property => property.Name).SequenceEqual(["reason"]),
                    $"{endpoint.Method} {endpoint.Path} {status} is not documented as {{\"reason\":...}}");
            }
        }
    }

    [Fact]
    public void A_401_documents_its_challenge_exactly_where_the_contract_names_one()
    {
        foreach (var (_, endpoint) in Read.Value.ApiEndpoints)
        {
            if (!Operation(endpoint).GetProperty("responses").TryGetProperty("401", out var unauthorized))
            {
                Assert.False(endpoint.Challenges, $"{endpoint.Method} {endpoint.Path}: the contract names a challenge but no 401 is documented");
                continue;
            }

            Assert.Equal(
                (endpoint.Path, endpoint.Challenges),
                (endpoint.Path, unauthorized.TryGetProperty("headers", out var headers) && headers.TryGetProperty("WWW-Authenticate", out _)));
        }
    }

    private static IEnumerable<(string Path, string Method, JsonElement Body)> Operations() =>
        Paths.EnumerateObject().SelectMany(path => path.Value.EnumerateObject().Select(method => (path.Name, method.Name, method.Value)));

    private static JsonElement Operation(Endpoint endpoint) => Paths.GetProperty(endpoint.Path).GetProperty(endpoint.Method.ToLowerInvariant());

    private static JsonElement? Schema(JsonElement response)
    {
        if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/json", out var json)
            || !json.TryGetProperty("schema", out var schema))
        {
            return null;
        }

        return schema.TryGetProperty("$ref", out var reference)
            ? Document.Value.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;
    }

    private static HashSet<string> ReasonsOf(JsonElement response) =>
        Schema(response) is { } schema && schema.TryGetProperty("properties", out var properties)
            && properties.TryGetProperty("reason", out var reason) && reason.TryGetProperty("enum", out var values)
            ? [.. values.EnumerateArray().Select(value => value.GetString()!)]
            : [];

    private static string CamelCase(string route)
    {
        var words = route.Split('-');
        return words[0] + string.Concat(words.Skip(1).Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
    }

    /// <summary>One endpoint as the contract describes it.</summary>
    /// <param name="Reasons">The reasons it gives the endpoint, by status.</param>
    /// <param name="Bodies">Error bodies of another shape than <c>{"reason":...}</c>, by status (RFC 6750's, say).</param>
    /// <param name="PrivateStatuses">Statuses it answers with a zero-byte body (the private 500).</param>
    /// <param name="Challenges">Whether its 401 carries <c>WWW-Authenticate</c>.</param>
    private sealed record Endpoint(
        string Method, string Path, Dictionary<string, HashSet<string>> Reasons, Dictionary<string, string> Bodies,
        HashSet<string> PrivateStatuses, bool Challenges);

    private sealed partial class Contract
    {
        /// <summary>The sign-in page's route: an HTML page for people (and its own calls), not part of the API document.</summary>
        public const string SignInPage = "/sign-in";

        public Dictionary<string, Endpoint> Endpoints { get; } = [];

        /// <summary>The endpoints the API document describes: all the contract names but the sign-in page.</summary>
        public IEnumerable<KeyValuePair<string, Endpoint>> ApiEndpoints => Endpoints.Where(endpoint => endpoint.Value.Path != SignInPage);

        /// <summary>Reasons marked private ("**yes**: zero-byte body"), never named in a body.</summary>
        public HashSet<string> PrivateReasons { get; } = [];

        /// <summary>The upstream operationIds, as docs/decisions.md names them (the contract names none).</summary>
        public HashSet<string> OperationIds { get; } = [];

        /// <summary>"The one reason table": status to reasons, for a bare status "as for" another endpoint.</summary>
        private readonly Dictionary<string, HashSet<string>> _table = [];

        public static Contract Parse(string docs)
        {
            var contract = new Contract();
            var folder = Path.Combine(docs, "contract");
            // The parts in the order the contract's README lists them; an endpoint's first mention decides its section.
            var files = TableLink().Matches(File.ReadAllText(Path.Combine(folder, "README.md")))
                .Select(link => link.Groups[1].Value).Distinct().Select(name => (Name: name, Text: File.ReadAllText(Path.Combine(folder, name))))
                .ToList();

            foreach (var (_, text) in files)
            {
                foreach (Match row in ReasonRow().Matches(text))
                {
                    var (status, reason, rest) = (row.Groups[1].Value, row.Groups[2].Value, row.Groups[3].Value);
                    if (reason != "private")
                    {
                        Add(contract._table, status, reason);
                    }

                    if (rest.Contains("**yes**", StringComparison.Ordinal))
                    {
                        contract.PrivateReasons.Add(reason);
                    }
                }
            }

            var sections = files.SelectMany(file => Sections(file.Text)).ToList();
            foreach (var (_, text) in files)
            {
                foreach (Match mention in EndpointMention().Matches(text))
                {
                    var key = $"{mention.Groups[1].Value} {mention.Groups[2].Value}";
                    if (contract.Endpoints.ContainsKey(key))
                    {
                        continue;
                    }

                    var own = sections.FirstOrDefault(section => EndpointMention().Matches(section.Heading)
                        .Any(named => $"{named.Groups[1].Value} {named.Groups[2].Value}" == key));
                    var body = own?.Body ?? Sections(text)
                        .Where(section => section.Start <= mention.Index && mention.Index < section.End)
                        .MaxBy(section => section.Level)!.Body;
                    contract.Endpoints[key] = contract.Read(mention.Groups[1].Value, mention.Groups[2].Value, body);
                }
            }

            // revoke-all.md's "Errors" is /revoke-all's reason table ("the error body and the reason table", README),
            // and /establish is "authenticated exactly as /revoke-all is": it takes the table's 401s and challenge.
            var errors = Sections(files.Single(file => file.Name == "revoke-all.md").Text).Single(section => section.Heading == "Errors").Body;
            var revokeAll = contract.Endpoints["POST /revoke-all"];
            var withTable = contract.Read(revokeAll.Method, revokeAll.Path, errors);
            contract.Merge("POST /revoke-all", withTable);
            foreach (var (key, _) in contract.Endpoints.ToList())
            {
                if (InheritsClientJwt(key, sections))
                {
                    contract.Endpoints[key] = contract.Endpoints[key] with { Challenges = true };
                    foreach (var reason in withTable.Reasons.GetValueOrDefault("401") ?? [])
                    {
                        Add(contract.Endpoints[key].Reasons, "401", reason);
                    }
                }
            }

            // Sentences elsewhere that give endpoints a reason: "`/refresh` and `/redeem` answer `403 AccountDisabled`".
            foreach (var (_, text) in files)
            {
                foreach (Match sentence in Sentence().Matches(text))
                {
                    foreach (Match path in RoutePath().Matches(sentence.Groups[1].Value))
                    {
                        foreach (var endpoint in contract.Endpoints.Values.Where(endpoint => endpoint.Path == path.Groups[1].Value))
                        {
                            Add(endpoint.Reasons, sentence.Groups[2].Value, sentence.Groups[3].Value);
                        }
                    }
                }
            }

            var decisions = File.ReadAllText(Path.Combine(docs, "decisions.md"));
            var named = OperationIdSentence().Match(decisions);
            Assert.True(named.Success, "docs/decisions.md no longer names the OpenAPI operationIds");
            contract.OperationIds.UnionWith(Identifier().Matches(named.Groups[1].Value).Select(id => id.Groups[1].Value));
            return contract;
        }

        private static bool InheritsClientJwt(string key, List<Section> sections)
        {
            var own = sections.FirstOrDefault(section => EndpointMention().Matches(section.Heading)
                .Any(named => $"{named.Groups[1].Value} {named.Groups[2].Value}" == key));
            return own is not null && own.Body.Contains("Authenticated exactly as `/revoke-all`", StringComparison.Ordinal);
        }

        private Endpoint Read(string method, string path, string text)
        {
            var endpoint = new Endpoint(method, path, [], [], [], text.Contains("WWW-Authenticate", StringComparison.Ordinal));
            foreach (Match pair in StatusReason().Matches(text))
            {
                Add(endpoint.Reasons, pair.Groups[1].Value, pair.Groups[2].Value);
            }

            foreach (Match body in StatusBody().Matches(text))
            {
                endpoint.Bodies[body.Groups[1].Value] = body.Groups[2].Value;
            }

            foreach (var line in text.Split('\n'))
            {
                var table = TableStatus().Match(line);
                if (table.Success)
                {
                    if (table.Groups[2].Value.Trim() == "private")
                    {
                        endpoint.PrivateStatuses.Add(table.Groups[1].Value);
                    }

                    foreach (Match reason in Identifier().Matches(table.Groups[2].Value).Where(reason => char.IsUpper(reason.Groups[1].Value[0])))
                    {
                        Add(endpoint.Reasons, table.Groups[1].Value, reason.Groups[1].Value);
                    }
                }

                // "`400 InvalidBody`, `413`, `415`, `429` as for `/refresh`": a bare status has the one table's reason for it.
                if (line.Contains("as for ", StringComparison.Ordinal) || line.Contains("as in ", StringComparison.Ordinal))
                {
                    foreach (Match bare in BareStatus().Matches(line))
                    {
                        if (_table.TryGetValue(bare.Groups[1].Value, out var reasons) && reasons.Count == 1)
                        {
                            Add(endpoint.Reasons, bare.Groups[1].Value, reasons.Single());
                        }
                    }
                }
            }

            return endpoint;
        }

        private void Merge(string key, Endpoint more)
        {
            var endpoint = Endpoints[key];
            foreach (var (status, reasons) in more.Reasons)
            {
                foreach (var reason in reasons)
                {
                    Add(endpoint.Reasons, status, reason);
                }
            }

            endpoint.PrivateStatuses.UnionWith(more.PrivateStatuses);
            Endpoints[key] = endpoint with { Challenges = endpoint.Challenges || more.Challenges };
        }

        private static void Add(Dictionary<string, HashSet<string>> reasons, string status, string reason)
        {
            if (!reasons.TryGetValue(status, out var set))
            {
                reasons[status] = set = [];
            }

            set.Add(reason);
        }

        /// <summary>Markdown sections: a heading, and everything up to the next heading of its level or above.</summary>
        private static List<Section> Sections(string text)
        {
            var headings = new List<(int Level, string Title, int Start, int BodyStart)>();
            var fenced = false;
            var offset = 0;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    fenced = !fenced;
                }
                else if (!fenced && Heading().Match(line) is { Success: true } heading)
                {
                    headings.Add((heading.Groups[1].Length, heading.Groups[2].Value.Trim(), offset, offset + line.Length + 1));
                }

                offset += line.Length + 1;
            }

            return [.. headings.Select((heading, index) =>
            {
                var end = headings.Skip(index + 1).FirstOrDefault(next => next.Level <= heading.Level).Start;
                end = end == 0 ? text.Length : end;
                return new Section(heading.Level, heading.Title, heading.Start, end, text[Math.Min(heading.BodyStart, end)..end]);
            })];
        }

        [GeneratedRegex(@"\]\(([a-z-]+\.md)\)")]
        private static partial Regex TableLink();

        [GeneratedRegex(@"^\|\s*([45]\d\d)\s*\|\s*`?(\w+)`?\s*\|([^\n]*)$", RegexOptions.Multiline)]
        private static partial Regex ReasonRow();

        [GeneratedRegex(@"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s?]*)(?:\?[^`]*)?`")]
        private static partial Regex EndpointMention();

        [GeneratedRegex(@"`([45]\d\d) (?:\{""reason"":"")?([A-Z][A-Za-z]+)")]
        private static partial Regex StatusReason();

        [GeneratedRegex(@"`([45]\d\d) (\{""(?!reason"")[^`]*\})`")]
        private static partial Regex StatusBody();

        [GeneratedRegex(@"^\|\s*([45]\d\d)\s*\|([^|]*)\|")]
        private static partial Regex TableStatus();

        [GeneratedRegex(@"`([45]\d\d)`")]
        private static partial Regex BareStatus();

        [GeneratedRegex(@"((?:`/[a-z-]+`(?:,\s*|\s+and\s+|\s+or\s+)?)+)[^`]{0,60}?\banswers?\s+`([45]\d\d) ([A-Z]\w+)`")]
        private static partial Regex Sentence();

        [GeneratedRegex(@"`(/[a-z-]+)`")]
        private static partial Regex RoutePath();

        [GeneratedRegex(@"`([A-Za-z]\w*)`")]
        private static partial Regex Identifier();

        [GeneratedRegex(@"\*\*OpenAPI operationIds\*\*[^(]*\(([^)]*)\)")]
        private static partial Regex OperationIdSentence();

        [GeneratedRegex(@"^(#+)\s+(.*)$")]
        private static partial Regex Heading();
    }

    private sealed record Section(int Level, string Heading, int Start, int End, string Body);
}
