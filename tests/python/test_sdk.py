"""The Python SDK (`opencommons.Client`): every role from Python on a real Anvil, with real data
(scikit-learn's iris as a DataFrame, palmerpenguins as a `datasets.Dataset`): register, publish,
offer and buy a licence, pay, claim, vote; read back what was published; refusals in one line."""
import json
from importlib.resources import files
from pathlib import Path

import pytest

from conftest import ok, start_chain_env

PENGUINS = Path(str(files("palmerpenguins") / "data" / "penguins.csv"))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    yield from start_chain_env(tmp_path_factory, "--curator", "{0}")


@pytest.fixture
def where(env, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENCOMMONS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OPENCOMMONS_RPC", raising=False)
    return {"rpc": env["url"], "deployments": env["root"] / "deployments", "home": env["root"] / "ipfs"}


def test_every_role_from_python(env, where):
    import datasets
    import pandas
    from sklearn.datasets import load_iris

    from opencommons import Client
    from opencommons.errors import OpenCommonsError
    from opencommons.sdk import ETH

    amina, buyer = Client(account="1", **where), Client(account="5", **where)
    amina.register("Amina", "KE/education")
    iris = load_iris(as_frame=True).frame
    published = amina.publish(iris, name="iris measurements", license="CC0-1.0", commons="KE/education",
                              names={"sw": "vipimo vya iris"}, descriptions={"fr": "Les mesures des iris de Fisher"})
    assert published.manifest["names"] == {"sw": "vipimo vya iris"}
    assert published.manifest["descriptions"] == {"fr": "Les mesures des iris de Fisher"}
    assert published.manifest["files"][0]["path"] == "iris-measurements.parquet"
    pandas.testing.assert_frame_equal(amina.to_pandas(published.dataset_id), iris)

    penguins = datasets.Dataset.from_pandas(pandas.read_csv(PENGUINS))
    with pytest.raises(OpenCommonsError, match=f"{env['accounts'][2]} is not a registered contributor"):
        amina.publish(penguins, name="penguins", license="CC-BY-4.0", commons="KE/education",
                      contributors={amina.address: 7000, env["accounts"][2]: 3000})
    second = amina.publish(penguins, name="penguins", license="CC-BY-4.0", commons="KE/education")
    loaded = buyer.load_dataset(second.dataset_id, split="train")
    assert loaded.num_rows == 344 and "species" in loaded.column_names

    run, w3 = env["run"], env["w3"]
    ok(run("dataset", "curate", str(published.dataset_id), "accept", "--account", "0"))
    offered = amina.offer_licence(published.dataset_id, 10**16, days=30, terms="open-attribution",
                                  attribution="Fisher's iris data (1936)")
    assert offered.terms.attribution == "Fisher's iris data (1936)" and str(offered.terms_cid).startswith("bafkrei")
    buyer.buy_licence(published.dataset_id)
    licences = amina.commons.licenses.functions
    assert licences.hasValidLicense(buyer.address, published.dataset_id).call()
    # the licence's record is its event: it names the document the buyer agreed to
    bought = amina.commons.licenses.events.LicensePurchased().get_logs(
        from_block=0, argument_filters={"licenseId": licences.licenseCount().call()})[0]["args"]
    assert bytes(bought["termsDigest"]) == offered.terms_cid.digest and bought["licensee"] == buyer.address
    buyer.pay(published.dataset_id, 10**18)
    owed = amina.commons.vault.functions.claimable(published.dataset_id, ETH, amina.address).call()
    assert owed > 0 and amina.claim([published.dataset_id]) == {ETH: owed}
    with pytest.raises(OpenCommonsError, match="has nothing to claim from these datasets"):
        amina.claim([published.dataset_id])

    ok(run("gov", "delegate", env["accounts"][0], "--account", "0"))
    proposal = ok(run("gov", "propose", "--accept", str(second.dataset_id), "--account", "0")).stdout.split()[-1]
    w3.provider.make_request("anvil_mine", [hex(2)])
    voter = Client(account="0", **where)
    voter.vote(int(proposal), "for")
    assert voter.commons.governor.functions.hasVoted(int(proposal), voter.address).call()
    with pytest.raises(OpenCommonsError, match="invalid vote 'maybe': use for, against or abstain"):
        voter.vote(int(proposal), "maybe")
    json.dumps(published.manifest)  # what publish returns is plain data


def test_sdk_refusals_are_one_line(where):
    from opencommons import Client
    from opencommons.errors import OpenCommonsError

    client = Client(account="1", **where)
    for data, message in ((["a", "list"], "cannot publish a builtins.list: give a folder, a pandas DataFrame"),
                          ("/no/such/folder", "no such directory: /no/such/folder")):
        with pytest.raises(OpenCommonsError, match=message):
            client.publish(data, license="CC0-1.0", commons="KE/education")
    import pandas

    with pytest.raises(OpenCommonsError, match="name the dataset's commons code"):
        client.publish(pandas.DataFrame({"a": [1]}), license="CC0-1.0")


def test_a_model_registers_from_python_only_on_data_its_trainer_may_use(env, where, tmp_path):
    """Issue 35 from Python: `Client.register_model` publishes a model from its training run and
    binds the run on-chain; a dataset whose terms sell a licence the trainer lacks refuses it
    before anything is written, naming the dataset and the command that buys one."""
    from sklearn.datasets import load_wine

    import opencommons
    from opencommons import Client
    from opencommons.errors import LicenceError
    from opencommons.ml.training import TrainingLogError

    owner, trainer = Client(account="3", **where), Client(account="4", **where)
    owner.register("Wanjiru", "KE/education")
    trainer.register("Otieno", "KE/education")
    wine = owner.publish(load_wine(as_frame=True).frame, name="wine", license="CC-BY-4.0", commons="KE/education")
    ok(env["run"]("dataset", "curate", str(wine.dataset_id), "accept", "--account", "0"))
    owner.offer_licence(wine.dataset_id, 10**15, days=30, terms="open-attribution", attribution="UCI wine")
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(bytes(range(256)) * 8)
    with opencommons.training_run(trainer=trainer.address) as run:
        frame = trainer.to_pandas(wine.dataset_id)
    assert len(frame) == 178
    sent = trainer.commons.w3.eth.get_transaction_count(trainer.address)
    with pytest.raises(LicenceError, match=f"the trainer {trainer.address} holds no valid licence to 1 dataset.*"
                                           f"commons license buy {wine.dataset_id}`\\); nothing was published"):
        trainer.register_model(model, run, license="Apache-2.0", commons="KE/education")
    assert trainer.commons.w3.eth.get_transaction_count(trainer.address) == sent  # nothing sent
    with pytest.raises(TrainingLogError, match="trainer 'nobody' is not an account address"):
        trainer.register_model(model, dict(run.document(), trainer="nobody"), license="Apache-2.0",
                               commons="KE/education")

    trainer.buy_licence(wine.dataset_id)
    registered = trainer.register_model(model, run, license="Apache-2.0", commons="KE/education", name="wine model")
    model_id = registered.dataset_id
    log = run.document()
    root, total = trainer.commons.vault.functions.trainingRecordOf(model_id, 0).call()
    assert "0x" + bytes(root).hex() == log["merkleRoot"][:50] and total == int(log["totalWeight"]) > 0
    assert registered.manifest["parents"] == [] and registered.manifest["trainingRun"]
    sent = trainer.commons.w3.eth.get_transaction_count(trainer.address)
    again = trainer.register_model(model, run, license="Apache-2.0", commons="KE/education", name="wine model")
    assert again.dataset_id == model_id and again.already  # a re-run finds it and sends nothing
    assert trainer.commons.w3.eth.get_transaction_count(trainer.address) == sent
