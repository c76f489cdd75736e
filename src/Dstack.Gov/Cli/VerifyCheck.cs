using System.Text.Json.Nodes;

namespace Dstack.Gov.Cli;

/// <summary>The outcome of one <c>verify</c> check with the values read as evidence.</summary>
/// <param name="Name">The check, e.g. <c>compose-hash</c>.</param>
/// <param name="Passed">True if it passed; null if it was not run.</param>
/// <param name="Summary">One line saying what was found.</param>
/// <param name="Evidence">The values the decision rests on.</param>
internal sealed record VerifyCheck(string Name, bool? Passed, string Summary, JsonObject Evidence)
{
    /// <summary><c>PASS</c>, <c>FAIL</c> or <c>SKIP</c>.</summary>
    public string Status => Passed switch
    {
        true => "PASS",
        false => "FAIL",
        null => "SKIP",
    };

    public JsonObject ToJson() => new()
    {
        ["check"] = Name,
        ["status"] = Status.ToLowerInvariant(),
        ["summary"] = Summary,
        ["evidence"] = Evidence.DeepClone(),
    };
}
