using System.Text.Json;
using Dstack.Gov.Cli;

namespace Dstack.Gov.Agent;

/// <summary>Asks a dstack agent for <c>GET /Info</c> over its socket.</summary>
internal static class AgentInfoClient
{
    /// <summary>The identity fields of the agent's Info answer.</summary>
    /// <exception cref="GovFailureException">The request failed or the answer is not an Info object with an app_id.</exception>
    public static async Task<AgentInfo> GetAsync(AgentSocketClient agent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var body = await agent.GetAsync("/Info", cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var appId = AgentJson.ReadHex(root, "Info", "app_id") ?? throw new GovFailureException("--agent: the Info answer has no app_id");
            return new AgentInfo(
                appId,
                AgentJson.ReadHex(root, "Info", "compose_hash"),
                AgentJson.ReadHex(root, "Info", "os_image_hash"),
                AgentJson.ReadHex(root, "Info", "device_id"));
        }
        catch (JsonException e)
        {
            throw new GovFailureException("--agent: the Info answer is not JSON: " + e.Message);
        }
    }
}
