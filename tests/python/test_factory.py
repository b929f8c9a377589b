"""The CommonsFactory from the command line: deploy it once, launch commons in one transaction,
act on one with --commons, verify, and resume a deploy killed at several points (Anvil and
Ganache)."""

import json
import os
import subprocess
import sys

import pytest
from web3 import HTTPProvider, Web3

from opencommons.chain.localnode import LocalChain
from opencommons.journal import FAULT_EXIT

from conftest import ok

BR_CONFIG = """
name = "Brazil Health Commons"
profile = "network"
[token]
name = "Saude Commons"
symbol = "SAUDE"
supply = 1000
[governance]
voting_delay_blocks = 1
voting_period_blocks = 20
timelock_delay_s = 60
proposal_threshold = 10
dispute_bond_wei = 5000000000000000
dispute_decision_window_s = 172800
require_consent = 1
[allocations]
"{0}" = 100
treasury = 900
[roles]
curators = ["{1}"]
arbiters = ["{3}"]
guardian = "{3}"
[vault]
fee_bps = 100
"""


def cli(node_url, root):
    env = {**os.environ, "OPENCOMMONS_RPC": node_url, "OPENCOMMONS_HOME": str(root / "home")}
    env.pop("OPENCOMMONS_COMMONS", None)

    def run(*args, extra_env=None):
        return subprocess.run([sys.executable, "-m", "opencommons.cli", *args], capture_output=True, text=True,
                              env={**env, **(extra_env or {})}, cwd=root)
    return run


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    """An Anvil chain with the factory and two commons: KE/education (dev) and BR/health (TOML)."""
    root = tmp_path_factory.mktemp("factory")
    with LocalChain("anvil") as node:
        w3 = Web3(HTTPProvider(node.url))
        accounts = w3.eth.accounts
        run = cli(node.url, root)
        ok(run("deploy", "--factory"))
        ok(run("commons", "create", "KE/education", "--name", "Kenya Education Commons"))
        (root / "br.toml").write_text(BR_CONFIG.format(accounts[1], accounts[2], None, accounts[3]))
        ok(run("commons", "create", "BR/health", "--config", "br.toml"))
        yield {"run": run, "w3": w3, "root": root, "accounts": accounts}


def recorded(env):
    return json.loads((env["root"] / "deployments" / f"{env['w3'].eth.chain_id}.json").read_text())


def test_commons_create_records_both_commons_and_list_shows_them(launched):
    data = recorded(launched)
    assert set(data["commons"]) == {"KE/education", "BR/health"}
    ke, br = (data["commons"][c]["addresses"] for c in ("KE/education", "BR/health"))
    assert not set(ke.values()) & set(br.values())
    listed = json.loads(ok(launched["run"]("commons", "list", "--json")).stdout)["launched"]
    assert [row["code"] for row in listed] == ["KE/education", "BR/health"]
    assert listed[1]["addresses"] == br


def test_commons_create_applies_the_config(launched):
    from opencommons.chain.deploy import contract

    w3, a = launched["w3"], recorded(launched)["commons"]["BR/health"]["addresses"]
    token = contract(w3, "CommonsToken", a["CommonsToken"])
    assert (token.functions.name().call(), token.functions.symbol().call()) == ("Saude Commons", "SAUDE")
    assert token.functions.balanceOf(a["CommonsTimelock"]).call() == 900 * 10**18
    assert token.functions.balanceOf(launched["accounts"][1]).call() == 100 * 10**18
    governor = contract(w3, "CommonsGovernor", a["CommonsGovernor"])
    assert governor.functions.name().call() == "Brazil Health Commons"
    assert governor.functions.proposalThreshold().call() == 10 * 10**18
    assert governor.functions.proposalGuardian().call() == launched["accounts"][3]  # roles.guardian
    nft = contract(w3, "DatasetNFT", a["DatasetNFT"])
    assert nft.functions.hasRole(nft.functions.CURATOR_ROLE().call(), launched["accounts"][2]).call()
    vault = contract(w3, "RoyaltyVault", a["RoyaltyVault"])
    assert vault.functions.protocolFee().call() == [100, a["CommonsTimelock"]] or \
        tuple(vault.functions.protocolFee().call()) == (100, a["CommonsTimelock"])
    assert vault.functions.datasets().call() == a["DatasetNFT"]
    # disputes: the bond and windows of the config, governance and the named council arbitrate, and the
    # rights contract may suspend this commons' datasets
    rights = contract(w3, "DatasetRights", a["DatasetRights"])
    assert tuple(rights.functions.settings().call()) == (5 * 10**15, 172_800, 7 * 86_400)
    arbiter = rights.functions.ARBITER_ROLE().call()
    assert rights.functions.hasRole(arbiter, launched["accounts"][3]).call()
    assert rights.functions.hasRole(arbiter, a["CommonsTimelock"]).call()
    assert rights.functions.datasets().call() == a["DatasetNFT"]
    assert nft.functions.hasRole(nft.functions.TAKEDOWN_ROLE().call(), a["DatasetRights"]).call()
    # consent required from the launch: the vault and the rewards wait for the rights' consents
    rewards = contract(w3, "ContributionRewards", a["ContributionRewards"])
    assert vault.functions.consentGate().call() == rewards.functions.consentGate().call() == a["DatasetRights"]
    ke = recorded(launched)["commons"]["KE/education"]["addresses"]
    assert contract(w3, "RoyaltyVault", ke["RoyaltyVault"]).functions.consentGate().call() == "0x" + "0" * 40
    assert contract(w3, "LicenseManager", a["LicenseManager"]).functions.rights().call() == a["DatasetRights"]


def test_a_factory_commons_governor_counts_a_ballot_signed_in_the_domain_it_reports(launched):
    """Each commons' governor keeps its name (`name()`), and verifies ballots under the domain it
    reports (EIP-5267): the suite's one name, its own address and chain."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    from opencommons.chain.deploy import contract
    from opencommons.chain.typed_data import ballot_message

    w3, a = launched["w3"], recorded(launched)["commons"]["BR/health"]["addresses"]
    governor = contract(w3, "CommonsGovernor", a["CommonsGovernor"])
    assert governor.functions.name().call() == "Brazil Health Commons"
    _, name, version, chain_id, verifying, _, _ = governor.functions.eip712Domain().call()
    assert (version, chain_id, verifying) == ("1", w3.eth.chain_id, governor.address)
    nft = contract(w3, "DatasetNFT", a["DatasetNFT"])
    proposer = launched["accounts"][1]  # holds 100 tokens, its own delegate
    described = "A ballot in the reported domain"
    calldata = nft.encode_abi("setDefaultRoyalty", [321])
    w3.provider.make_request("anvil_mine", [hex(1)])  # votes count from the block after the launch
    governor.functions.propose([nft.address], [0], [calldata], described).transact({"from": proposer})
    proposal_id = governor.functions.getProposalId([nft.address], [0], [calldata],
                                                   Web3.keccak(text=described)).call()
    w3.provider.make_request("anvil_mine", [hex(2)])
    voter = Account.create()

    def ballot(domain_name):
        message = ballot_message(w3.eth.chain_id, governor.address, proposal_id, 1, voter.address, 0, name=domain_name)
        return Account.sign_message(encode_typed_data(full_message=message), voter.key).signature

    # signed under the commons' own name: not this governor's domain
    invalid = "0x" + bytes(Web3.keccak(text="GovernorInvalidSignature(address)")[:4]).hex()
    with pytest.raises(Exception, match=invalid):
        governor.functions.castVoteBySig(proposal_id, 1, voter.address, ballot("Brazil Health Commons")).call(
            {"from": proposer})
    governor.functions.castVoteBySig(proposal_id, 1, voter.address, ballot(name)).transact({"from": proposer})
    assert governor.functions.hasVoted(proposal_id, voter.address).call()


def test_commons_option_picks_the_commons_a_command_acts_on(launched):
    from opencommons.chain.deploy import contract

    run, w3, me = launched["run"], launched["w3"], launched["accounts"][3]
    ok(run("contributor", "register", "--account", "3", "--name", "Wanjiru", "--community", "KE/education",
          "--commons", "KE/education"))
    commons = recorded(launched)["commons"]
    ke = contract(w3, "ContributorRegistry", commons["KE/education"]["addresses"]["ContributorRegistry"])
    br = contract(w3, "ContributorRegistry", commons["BR/health"]["addresses"]["ContributorRegistry"])
    assert ke.functions.isRegistered(me).call() and not br.functions.isRegistered(me).call()
    ambiguous = run("contributor", "show", me)
    assert ambiguous.returncode == 1 and "--commons CODE" in ambiguous.stderr
    unknown = run("contributor", "show", me, "--commons", "XX/none")
    assert unknown.returncode == 1 and "no commons 'XX/none'" in unknown.stderr
    # `--community` alone picks that commons to register in, as `dataset publish --commons` does
    other = launched["accounts"][7]
    ok(run("contributor", "register", "--account", "7", "--name", "Ana", "--community", "BR/health"))
    assert br.functions.isRegistered(other).call() and not ke.functions.isRegistered(other).call()


def test_deploy_verify_passes_then_fails_on_a_tampered_record(launched):
    run, root = launched["run"], launched["root"]
    out = ok(run("deploy", "verify")).stdout
    assert "FAIL" not in out and "every check passed" in out
    path = root / "deployments" / f"{launched['w3'].eth.chain_id}.json"
    original = path.read_text()
    data = json.loads(original)
    ke = data["commons"]["KE/education"]["addresses"]
    ke["RoyaltyVault"] = data["commons"]["BR/health"]["addresses"]["RoyaltyVault"]
    path.write_text(json.dumps(data))
    try:
        bad = run("deploy", "verify")
        assert bad.returncode == 1 and "FAIL KE/education: clones of the factory's templates" in bad.stdout
    finally:
        path.write_text(original)


def test_create_commons_refuses_a_taken_code(launched):
    again = launched["run"]("commons", "create", "KE/education")
    assert again.returncode == 1 and "exists already" in again.stderr


@pytest.mark.parametrize("config, message", [
    ("[token]\nsupply = 10\n[allocations]\ntreasury = 9\n", "allocations sum to 9 tokens but token.supply is 10"),
    ("colour = 'red'\n", "unknown key 'colour'"),
    ("[governance]\nquorum_percent = 120\n[allocations]\ntreasury = 1000000\n", "quorum_percent 120 is out of range"),
    ("[allocations]\n'0x12' = 1000000\n", "allocations.0x12 is not an address"),
    ("[vault]\nfee_bps = 5000\n[allocations]\ntreasury = 1000000\n", "above the vault's maximum"),
    ("[roles]\nminters = []\n", "unknown key roles.minters"),
    ("[governance]\nrequire_consent = 2\n[allocations]\ntreasury = 1000000\n", "require_consent is 0 or 1"),
    ("[governance]\nreissue_window_s = 86400\n", "governance.reissue_window_s is not set at a factory launch"),
])
def test_create_commons_refuses_a_bad_config(launched, tmp_path, config, message):
    path = tmp_path / "bad.toml"
    path.write_text(config)
    result = launched["run"]("commons", "create", "XX/bad", "--config", str(path))
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "XX/bad" not in recorded(launched)["commons"]


def test_create_commons_refuses_a_malformed_code(launched):
    result = launched["run"]("commons", "create", "KE//education")
    assert result.returncode == 1 and "invalid commons code" in result.stderr


def test_deployments_file_of_another_chain_is_refused(launched, tmp_path):
    w3 = launched["w3"]
    data = recorded(launched)
    data["chain_id"] = 5
    other = tmp_path / "deployments"
    other.mkdir()
    (other / f"{w3.eth.chain_id}.json").write_text(json.dumps(data))
    for args in (("commons", "list"), ("deploy", "verify"), ("contributor", "show", launched["accounts"][0],
                                                               "--commons", "KE/education")):
        result = launched["run"](*args, "--deployments", str(other))
        assert result.returncode == 1 and "is for chain 5" in result.stderr, (args, result.stderr)


@pytest.mark.parametrize("kind", ["anvil", "ganache"])
@pytest.mark.parametrize("fault", ["deploy:template CommonsToken:before-send",
                                   "deploy:template CommonsGovernor:after-send",
                                   "deploy:CommonsFactory:after-send", "commons:after-send"])
def test_deploy_factory_resumes_exactly_once_after_a_kill(tmp_path, kind, fault):
    with LocalChain(kind) as node:
        w3 = Web3(HTTPProvider(node.url))
        me = w3.eth.accounts[0]
        run = cli(node.url, tmp_path)

        def launch(extra_env=None):
            deployed = run("deploy", "--factory", extra_env=extra_env)
            if deployed.returncode != 0:
                return deployed
            return run("commons", "create", "KE/education", extra_env=extra_env)

        crashed = launch({"OPENCOMMONS_FAULT_AT": fault})
        assert crashed.returncode == FAULT_EXIT, crashed.stderr
        ok(launch())
        # fourteen creations (twelve templates, the NFT deployer, the factory) and one launch, each once
        assert w3.eth.get_transaction_count(me) == 15
        ok(run("deploy", "verify"))
        listed = json.loads(ok(run("commons", "list", "--json")).stdout)["launched"]
        assert [row["code"] for row in listed] == ["KE/education"]


def test_deploy_dry_run_prints_every_creation_and_sends_nothing(tmp_path):
    with LocalChain("anvil") as node:
        w3 = Web3(HTTPProvider(node.url))
        out = ok(cli(node.url, tmp_path)("deploy", "--factory", "--dry-run")).stdout
        assert w3.eth.get_transaction_count(w3.eth.accounts[0]) == 0
        assert "template CommonsGovernor" in out and "CommonsFactory" in out and "dry run" in out
        assert not (tmp_path / "deployments").exists()


def test_initialize_reverts_on_launched_clones_and_templates(launched):
    """Nobody can initialise a clone after its launch, nor a template ever (no front-running)."""
    from opencommons.chain.deploy import contract
    from opencommons.chain.transactions import NodeAccount, transact
    from opencommons.errors import ContractRevertError

    w3, data = launched["w3"], recorded(launched)
    attacker = NodeAccount(launched["accounts"][5])
    ke = data["commons"]["KE/education"]["addresses"]
    templates = data["factory"]["templates"]
    for address in (ke["ContributorRegistry"], templates["registry"]):
        registry = contract(w3, "ContributorRegistry", address)
        with pytest.raises(ContractRevertError, match="InvalidInitialization"):
            transact(w3, attacker, registry.functions.initialize(attacker.address, [], attacker.address))
    for address in (ke["RoyaltyVault"], templates["vault"]):
        vault = contract(w3, "RoyaltyVault", address)
        with pytest.raises(ContractRevertError):
            transact(w3, attacker, vault.functions.initialize(attacker.address, attacker.address, 0, [],
                                                              attacker.address))
    for address in (ke["LicenseManager"], templates["licenses"]):  # nobody swaps in another rights contract
        licences = contract(w3, "LicenseManager", address)
        with pytest.raises(ContractRevertError, match="InvalidInitialization"):
            transact(w3, attacker, licences.functions.initialize(ke["DatasetNFT"], ke["RoyaltyVault"],
                                                                 attacker.address))
    rewards = contract(w3, "ContributionRewards", ke["ContributionRewards"])
    with pytest.raises(ContractRevertError, match="InvalidInitialization"):
        transact(w3, attacker, rewards.functions.initialize(ke["DatasetNFT"], ke["CommonsToken"],
                                                            ke["DatasetAttestations"], attacker.address,
                                                            attacker.address))
    for address in (ke["DatasetRights"], templates["rights"]):
        rights = contract(w3, "DatasetRights", address)
        with pytest.raises(ContractRevertError, match="InvalidInitialization"):
            transact(w3, attacker, rights.functions.initialize(ke["DatasetNFT"], attacker.address,
                                                               [attacker.address], 0, 3_600, 3_600))
    token = contract(w3, "CommonsToken", ke["CommonsToken"])
    with pytest.raises(ContractRevertError, match="InvalidInitialization"):
        transact(w3, attacker, token.functions.initialize("X", "X", attacker.address, attacker.address,
                                                          [attacker.address], [10**24]))
    # the governor's token is its clone argument: the clone answers it, and no other is accepted
    governor = contract(w3, "CommonsGovernor", ke["CommonsGovernor"])
    assert governor.functions.token().call() == ke["CommonsToken"]
    assert governor.functions.clock().call() == w3.eth.block_number
    settings = (1, 10, 0, 4, attacker.address, attacker.address)
    with pytest.raises(ContractRevertError, match="InvalidInitialization"):
        transact(w3, attacker, governor.functions.initialize("X", ke["CommonsToken"], attacker.address, settings))
    with pytest.raises(ContractRevertError, match="CommonsGovernorTokenMismatch"):
        transact(w3, attacker, governor.functions.initialize("X", attacker.address, attacker.address, settings))
    template = contract(w3, "CommonsGovernor", templates["governor"])
    with pytest.raises(ContractRevertError):
        transact(w3, attacker, template.functions.initialize("X", template.functions.token().call(),
                                                             attacker.address, settings))
    # the contributors' house, its governor and the charter (issue 37): never again, never a template
    for address in (ke["ContributorVotes"], templates["house"]):
        house = contract(w3, "ContributorVotes", address)
        with pytest.raises(ContractRevertError, match="InvalidInitialization"):
            transact(w3, attacker, house.functions.initialize(attacker.address, bytes(32)))
    council = contract(w3, "ContributorsGovernor", ke["ContributorsGovernor"])
    assert council.functions.token().call() == ke["ContributorVotes"]
    with pytest.raises(ContractRevertError, match="InvalidInitialization"):
        transact(w3, attacker, council.functions.initialize("X", ke["ContributorVotes"], attacker.address, settings))
    config = (attacker.address, attacker.address, ke["CommonsGovernor"], ke["CommonsToken"], "bafk", 1, 1, [], [],
              (0, 1, 0, 0, 0))
    for address in (ke["CommonsCharter"], templates["charter"]):
        charter = contract(w3, "CommonsCharter", address)
        with pytest.raises(ContractRevertError, match="InvalidInitialization"):
            transact(w3, attacker, charter.functions.initialize(config))


def test_access_list_names_the_implementations_of_a_factory_made_commons(launched):
    from opencommons.chain.deploy import Deployment, deployment_path
    from opencommons.suite import Commons

    w3, root = launched["w3"], launched["root"]
    deployment = Deployment.from_file(deployment_path(root / "deployments", w3.eth.chain_id))
    ke = Commons(w3, deployment.for_commons("KE/education"))
    templates = deployment.factory["templates"]
    assert ke.access_list("ContributorRegistry") == [{"address": templates["registry"], "storageKeys": []}]
    assert ke.access_list("RoyaltyVault", "DatasetNFT") == [{"address": templates["vault"], "storageKeys": []}]


def test_dataset_publish_commons_publishes_into_that_factory_commons(launched, tmp_path):
    """The README's fifth command: `dataset publish --commons BR/health` mints in BR/health's NFT."""
    from opencommons.chain.deploy import contract

    run, w3, me = launched["run"], launched["w3"], launched["accounts"][4]
    ok(run("contributor", "register", "--account", "4", "--name", "Lucas", "--community", "BR/health",
           "--commons", "BR/health"))
    data = tmp_path / "clinics"
    data.mkdir()
    (data / "clinics.csv").write_text("name,beds\nSanta Casa,120\n")
    out = json.loads(ok(run("dataset", "publish", str(data), "--license", "CC0-1.0", "--commons", "BR/health",
                            "--contributor", f"{me}=10000", "--account", "4", "--json")).stdout)
    commons = recorded(launched)["commons"]
    br = contract(w3, "DatasetNFT", commons["BR/health"]["addresses"]["DatasetNFT"])
    ke = contract(w3, "DatasetNFT", commons["KE/education"]["addresses"]["DatasetNFT"])
    dataset_id = int(out["dataset"])
    assert br.functions.ownerOf(dataset_id).call() == me
    assert not ke.functions.exists(dataset_id).call()


def test_a_stranger_joins_a_factory_made_commons_by_its_code(launched, tmp_path):
    """A factory reference names the factory and the code: the joiner reads the nine addresses from
    the factory's directory, checks the clones and the templates, and acts on it from anywhere."""
    run, w3 = launched["run"], launched["w3"]
    reference = ok(run("commons", "share", "--commons", "BR/health")).stdout.strip()
    factory = recorded(launched)["factory"]["address"]
    assert reference.startswith("opencommons:31337@") and f"/factory/{factory}/BR%2Fhealth" in reference
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCOMMONS_")}
    env["OPENCOMMONS_HOME"] = str(tmp_path / "home")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def stranger(*args):
        return subprocess.run([sys.executable, "-m", "opencommons.cli", *args], capture_output=True, text=True,
                              env=env, cwd=elsewhere)

    node_url = w3.provider.endpoint_uri
    ok(stranger("commons", "join", reference, "--rpc", node_url))
    listed = json.loads(ok(stranger("commons", "list", "--json")).stdout)["joined"]
    br = recorded(launched)["commons"]["BR/health"]["addresses"]
    assert [(j["name"], j["code"], j["datasets"]) for j in listed] == [("BR-health", "BR/health", br["DatasetNFT"])]
    shown = ok(stranger("contributor", "show", launched["accounts"][4], "--commons", "BR/health"))
    assert shown.returncode == 0
    unknown = stranger("commons", "join", reference.replace("BR%2Fhealth", "XX%2Fnone"), "--rpc", node_url)
    assert unknown.returncode == 1 and unknown.stderr.strip() == (
        f"error: the factory at {factory} launched no commons 'XX/none'")


def test_the_same_content_in_two_commons_has_one_id_and_two_links(launched, tmp_path):
    """Published in KE/education and in BR/health, one folder is one dataset id in two NFTs: the
    links name which; `dataset get` of each reads that commons' record."""
    run, acc = launched["run"], launched["accounts"]
    data = tmp_path / "shared"
    data.mkdir()
    (data / "schools.csv").write_text("school,pupils\nKibera Primary,1200\n")
    ids, manifests = [], []
    for code, account in (("KE/education", "5"), ("BR/health", "6")):
        ok(run("contributor", "register", "--account", account, "--name", f"p{account}", "--community", code,
               "--commons", code))
        out = json.loads(ok(run("dataset", "publish", str(data), "--license", "CC0-1.0", "--commons", code,
                                "--contributor", f"{acc[int(account)]}=10000", "--account", account,
                                "--json")).stdout)
        ids.append(out["dataset"])
        manifests.append(out["manifest"])
    assert ids[0] == ids[1] and manifests[0] != manifests[1]  # other contributors, other manifest
    links = [ok(run("dataset", "link", ids[0], "--commons", code)).stdout.strip()
             for code in ("KE/education", "BR/health")]
    assert links[0] != links[1] and "/factory/" in links[0] and links[0].endswith(f"#dataset={ids[0]}")
    for link, manifest in zip(links, manifests):  # each link reads its own commons' record
        got = json.loads(ok(run("dataset", "get", link, str(tmp_path / manifest), "--json")).stdout)
        assert got["dataset"] == ids[0] and got["manifest"] == manifest


def _spec(w3, code, **changes):
    import dataclasses

    from opencommons.chain.commons_config import default_spec

    base = default_spec("XX/ok", None, w3.eth.chain_id, w3.eth.accounts[0], "dev")
    return dataclasses.replace(base, code=code, **changes)


def _factory(env):
    from opencommons.chain.deploy import contract

    return contract(env["w3"], "CommonsFactory", recorded(env)["factory"]["address"])


def test_a_squatters_commons_is_never_adopted_in_any_case(launched):
    """A stranger launches GH/agriculture first with their own governance: the operator's
    `commons create` refuses to adopt it (as GH/agriculture or gh/AGRICULTURE), naming who did."""
    w3, accounts = launched["w3"], launched["accounts"]
    squatter = accounts[5]
    factory = _factory(launched)
    w3.eth.wait_for_transaction_receipt(factory.functions.createCommons(
        _spec(w3, "GH/agriculture", allocations={squatter: 10**24}).as_struct()).transact({"from": squatter}))
    assert factory.functions.creatorOf("gh/AGRICULTURE").call() == squatter
    for code in ("GH/agriculture", "gh/AGRICULTURE"):
        refused = launched["run"]("commons", "create", code)
        assert refused.returncode == 1, refused.stdout
        assert f"was launched by {squatter}, not by this account ({accounts[0]}): it is not yours to adopt" \
            in refused.stderr
        assert code not in recorded(launched)["commons"]


def test_a_commons_this_account_launched_with_another_configuration_is_not_adopted(launched):
    w3, accounts = launched["w3"], launched["accounts"]
    factory = _factory(launched)
    w3.eth.wait_for_transaction_receipt(factory.functions.createCommons(
        _spec(w3, "GH/fisheries", token_symbol="FISH").as_struct()).transact({"from": accounts[0]}))
    refused = launched["run"]("commons", "create", "GH/fisheries")
    assert refused.returncode == 1 and "was launched by this account with another configuration" in refused.stderr
    assert "token_symbol 'FISH'" in refused.stderr


@pytest.mark.parametrize("code", ["KE/educ ation", "KE/\u0435ducation", "KE/education\n", "KE/", "/KE", "KE//x",
                                  "KE/.hidden", "KE/x\u200b", "k" * 65, ""])
def test_factory_refuses_codes_outside_the_character_set_on_chain(launched, code):
    from web3.exceptions import ContractCustomError

    w3 = launched["w3"]
    with pytest.raises(ContractCustomError):
        _factory(launched).functions.createCommons(_spec(w3, code).as_struct()).call({"from": w3.eth.accounts[0]})


def test_deploy_verify_compares_allocations_roles_and_fee(launched):
    run, root = launched["run"], launched["root"]
    path = root / "deployments" / f"{launched['w3'].eth.chain_id}.json"
    original = path.read_text()
    data = json.loads(original)
    settings = data["commons"]["BR/health"]["settings"]
    holder = next(iter(settings["allocations"]))
    settings["allocations"][holder] += 1
    settings["curators"] = [launched["accounts"][7]]
    settings["fee_bps"] = 0
    path.write_text(json.dumps(data))
    try:
        bad = run("deploy", "verify")
        assert bad.returncode == 1
        for what in ("token and genesis allocations as configured", "role holders as configured",
                     "vault fee and treasury as configured"):
            assert f"FAIL BR/health: {what}" in bad.stdout, bad.stdout
    finally:
        path.write_text(original)


def _roles_of(c):
    """Every role constant a contract exposes (DEFAULT_ADMIN_ROLE, CURATOR_ROLE, ...)."""
    names = [f["name"] for f in c.abi if f.get("type") == "function" and f["name"].endswith("_ROLE")
             and not f["inputs"]]
    return {name: getattr(c.functions, name)().call() for name in names}


def test_factory_launches_hold_their_properties_over_random_configurations(launched):
    """Property test: for random allocations, roles, fees and treasuries, after a launch the
    factory holds no role anywhere, the timelock administers every clone, each clone runs its
    template, the directory matches the event, and the launch checks of `deploy verify` pass."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from web3.logs import DISCARD

    from opencommons.chain.deploy import clone_target, contract
    from opencommons.chain.factory import CONTRACT_OF, FIELDS, named
    from opencommons.chain.launch import launch_checks

    w3, accounts = launched["w3"], launched["accounts"]
    factory = _factory(launched)
    templates = recorded(launched)["factory"]["templates"]
    address = st.binary(min_size=20, max_size=20).filter(any).map(Web3.to_checksum_address)
    counter = iter(range(10_000))

    @settings(max_examples=int(os.environ.get("OPENCOMMONS_FACTORY_EXAMPLES", 8)), deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(holders=st.dictionaries(address, st.integers(1, 10**24), max_size=3),
           treasury_amount=st.integers(0, 10**24), curators=st.lists(address, max_size=3, unique=True),
           verifiers=st.lists(address, max_size=2, unique=True),
           validators=st.lists(address, max_size=2, unique=True),
           tokens=st.lists(address, max_size=2, unique=True), fee=st.integers(0, 1000),
           fee_treasury=st.one_of(st.just("0x" + "00" * 20), address), royalty=st.integers(0, 1000))
    def launch(holders, treasury_amount, curators, verifiers, validators, tokens, fee, fee_treasury, royalty):
        if not holders and not treasury_amount:
            treasury_amount = 1
        code = f"PT/case-{next(counter)}"
        spec = _spec(w3, code, allocations=holders, treasury_amount=treasury_amount, curators=curators,
                     verifiers=verifiers, validators=validators, allowed_tokens=tokens, fee_bps=fee,
                     fee_treasury=fee_treasury, default_royalty_bps=royalty)
        receipt = w3.eth.wait_for_transaction_receipt(
            factory.functions.createCommons(spec.as_struct()).transact({"from": accounts[3]}))
        event = factory.events.CommonsCreated().process_receipt(receipt, errors=DISCARD)[0]["args"]
        # the directory matches the event
        a = named(event["commons"])
        assert named(factory.functions.commonsOf(code).call()) == a
        assert factory.functions.commonsAt(event["index"]).call()[0] == code
        assert factory.functions.creatorOf(code.lower()).call() == accounts[3] == event["creator"]
        # each clone runs its template (the NFT is deployed in full by the NFT deployer)
        for field in FIELDS:
            if field != "datasets":
                code_at = bytes(w3.eth.get_code(a[CONTRACT_OF[field]]))
                assert clone_target(code_at) == Web3.to_checksum_address(templates[field]), field
        # the factory holds no role anywhere; the timelock administers every clone
        timelock = a["CommonsTimelock"]
        for name in ("ContributorRegistry", "DatasetNFT", "RoyaltyVault", "DatasetAttestations", "CommonsToken",
                     "CommonsTimelock"):
            c = contract(w3, name, a[name])
            for role_name, role in _roles_of(c).items():
                assert not c.functions.hasRole(role, factory.address).call(), (name, role_name)
            assert c.functions.hasRole(b"\0" * 32, timelock).call(), name
        assert contract(w3, "ContributionRewards", a["ContributionRewards"]).functions.owner().call() == timelock
        # what deploy verify checks of a launch holds for the configuration it was given
        failed = [c for c in launch_checks(w3, code, a, spec.to_json(), receipt["blockNumber"]) if not c[1]]
        assert not failed, failed

    launch()
