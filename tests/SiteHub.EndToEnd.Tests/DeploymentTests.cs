using System.Diagnostics;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>The deployment files: the compose file is valid, the shipped mosquitto ACL isolates sites, the images build.</summary>
public sealed class DeploymentTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? TestEnvironment.RepoRoot,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Token);
        var error = process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task The_compose_file_is_valid_with_the_documented_env_example()
    {
        Assert.True(File.Exists("/usr/bin/docker-compose"), "docker-compose is not installed: bash scripts/test.sh installs it (apt-get install docker-compose)");

        var (exitCode, output) = await RunAsync("/usr/bin/docker-compose", "--env-file .env.example -f docker-compose.yml config --services");

        Assert.True(exitCode == 0, output);
        foreach (var service in new[] { "mosquitto", "influxdb", "grafana", "prometheus", "hub", "gateway", "simulators" })
        {
            Assert.Contains(service, output.Split('\n'), StringComparer.Ordinal);
        }
    }

    [Fact]
    public async Task The_compose_file_refuses_to_start_without_secrets()
    {
        using var empty = new TempFolder("compose");
        File.WriteAllText(empty.Combine(".env"), "# nothing set\n");

        var (exitCode, output) = await RunAsync("/usr/bin/docker-compose", $"--env-file {empty.Combine(".env")} -f docker-compose.yml config -q");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("set it in .env", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_mosquitto_acl_keeps_each_gateway_to_its_own_site()
    {
        using var folder = new TempFolder("acl");
        var passwords = folder.Combine("passwd");
        foreach (var (user, password) in new[] { ("hub", "hub-pw"), ("site-1", "site1-pw"), ("site-2", "site2-pw") })
        {
            var (code, output) = await RunAsync("/usr/bin/mosquitto_passwd", $"-b {(File.Exists(passwords) ? "" : "-c ")}{passwords} {user} {password}");
            Assert.True(code == 0, output);
        }

        var acl = Path.Combine(TestEnvironment.RepoRoot, "deploy", "mosquitto", "acl");
        await using var mosquitto = await MosquittoServer.StartAsync(Token, $"password_file {passwords}\nacl_file {acl}\nallow_anonymous false");

        using var hub = await ConnectAsync(mosquitto.Port, "hub", "hub-pw");
        var seen = new List<string>();
        hub.ApplicationMessageReceivedAsync += e =>
        {
            lock (seen)
            {
                seen.Add(e.ApplicationMessage.Topic + " " + Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            }

            return Task.CompletedTask;
        };
        await hub.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("sitehub/v1/sites/+/punches", MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);
        using var site1 = await ConnectAsync(mosquitto.Port, "site-1", "site1-pw");
        using var site2 = await ConnectAsync(mosquitto.Port, "site-2", "site2-pw");

        var forged = await site2.PublishAsync(Message(UplinkTopics.Punches("site-1"), "forged by site-2"), Token);
        // mosquitto closes a connection after a refused publish: the snooping attempt uses a fresh one.
        // It grants the subscription but never delivers what the ACL does not let site-2 read.
        using var site2Again = await ConnectAsync(mosquitto.Port, "site-2", "site2-pw");
        var snooped = 0;
        site2Again.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref snooped);
            return Task.CompletedTask;
        };
        await site2Again.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(UplinkTopics.Acks("site-1"), MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);
        var site1Acks = 0;
        site1.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref site1Acks);
            return Task.CompletedTask;
        };
        await site1.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(UplinkTopics.Acks("site-1"), MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);
        await site1.PublishAsync(Message(UplinkTopics.Punches("site-1"), "from site-1"), Token);
        await hub.PublishAsync(Message(UplinkTopics.Acks("site-1"), "{}"), Token);
        var wrongPassword = await new MqttClientFactory().CreateMqttClient().ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mosquitto.Port).WithCredentials("site-1", "nope").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build(), Token);

        await TestEnvironment.WaitUntilAsync(() => { lock (seen) { return seen.Count > 0; } }, TimeSpan.FromSeconds(10), "site-1's punch at the hub", Token);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        await TestEnvironment.WaitUntilAsync(() => Volatile.Read(ref site1Acks) == 1, TimeSpan.FromSeconds(10), "the ack at site-1", Token);
        Assert.Equal(0, Volatile.Read(ref snooped));
        Assert.NotEqual(MqttClientConnectResultCode.Success, wrongPassword.ResultCode);
        lock (seen)
        {
            Assert.Equal(["sitehub/v1/sites/site-1/punches from site-1"], seen);
        }
    }

    [Fact]
    public async Task Every_image_builds_where_a_docker_engine_answers()
    {
        var (info, _) = File.Exists("/usr/local/bin/docker") || File.Exists("/usr/bin/docker") ? await RunAsync("docker", "info --format {{.ServerVersion}}") : (1, "");
        if (info != 0)
        {
            Assert.Skip("No Docker engine answers here: the image builds are checked where one does (docker build -f Dockerfile.hub|gateway|simulators .).");
        }

        foreach (var image in new[] { "hub", "gateway", "simulators" })
        {
            var (code, output) = await RunAsync("docker", $"build -q -f Dockerfile.{image} -t sitehub-{image}:test .");
            Assert.True(code == 0, $"Dockerfile.{image} does not build:\n{output}");
        }
    }

    private static async Task<IMqttClient> ConnectAsync(int port, string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(user + "-test")
            .WithCredentials(user, password).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build(), Token);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static MqttApplicationMessage Message(string topic, string payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
}
