using System.Security.Cryptography;
using System.Text.Json;
using Dstack.Attestation.Formats;
using Dstack.Gov.Cli;

namespace Dstack.Gov.Agent;

/// <summary>Asks a dstack agent for <c>GET /GetQuote?report_data=NONCE</c> over its socket, with a fresh random nonce.</summary>
internal static class AgentQuoteClient
{
    /// <summary>The nonce length: the whole 64-byte TDX report data, so the agent pads nothing.</summary>
    public const int NonceLength = 64;

    /// <summary>The agent's quote over a fresh nonce with its event log and vm_config.</summary>
    /// <exception cref="GovFailureException">The request failed or the answer is not a GetQuote response.</exception>
    public static Task<AgentQuote> GetAsync(AgentSocketClient agent, CancellationToken cancellationToken) =>
        GetAsync(agent, RandomNumberGenerator.GetBytes(NonceLength), cancellationToken);

    /// <summary>The agent's quote over <paramref name="nonce"/>.</summary>
    /// <exception cref="GovFailureException">The request failed or the answer is not a GetQuote response.</exception>
    public static async Task<AgentQuote> GetAsync(AgentSocketClient agent, byte[] nonce, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(nonce);
        var body = await agent.GetAsync("/GetQuote?report_data=" + Convert.ToHexStringLower(nonce), cancellationToken).ConfigureAwait(false);
        byte[]? echoed;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new GovFailureException("--agent: the GetQuote answer is not a JSON object");
            }

            echoed = AgentJson.ReadHex(document.RootElement, "GetQuote", "report_data");
        }
        catch (JsonException e)
        {
            throw new GovFailureException("--agent: the GetQuote answer is not JSON: " + e.Message);
        }

        try
        {
            var input = ReplayInputParser.Parse(body);
            return new AgentQuote(nonce, echoed, input.Quote, input.Events, input.VmConfig);
        }
        catch (FormatException e)
        {
            throw new GovFailureException("--agent: the GetQuote answer is malformed: " + e.Message);
        }
    }
}
