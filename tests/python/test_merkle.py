"""The training record's Merkle tree is OpenZeppelin's standard one: the same root and proofs as
npm's @openzeppelin/merkle-tree computes, on 10,000 weighted datasets."""
import json
import random
import subprocess
from pathlib import Path

from opencommons.merkle import StandardTree, leaf_hash, verify

ROOT = Path(__file__).resolve().parents[2]
TYPES = ["uint256", "uint256"]


def test_root_and_proofs_match_openzeppelins_merkle_tree_on_10000_leaves(tmp_path):
    rng = random.Random(35)
    values = [(rng.getrandbits(256), rng.randint(1, 10**12)) for _ in range(10_000)]
    script = ('import { StandardMerkleTree } from "@openzeppelin/merkle-tree";\n'
              'import { readFileSync } from "node:fs";\n'
              "const values = JSON.parse(readFileSync(process.argv[1], 'utf8'));\n"
              'const tree = StandardMerkleTree.of(values, ["uint256", "uint256"]);\n'
              "console.log(JSON.stringify({ root: tree.root, proofs: [0, 1, 4999, 9999].map((i) => tree.getProof(i)) }));\n")
    data = tmp_path / "values.json"
    data.write_text(json.dumps([[str(a), str(b)] for a, b in values]))
    # evaluated from the project's folder, so node resolves the package from its node_modules
    out = subprocess.run(["node", "--input-type=module", "-e", script, str(data)], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    theirs = json.loads(out.stdout)
    tree = StandardTree.of(values, TYPES)
    assert "0x" + tree.root.hex() == theirs["root"]
    for index, proof in zip([0, 1, 4999, 9999], theirs["proofs"]):
        assert ["0x" + p.hex() for p in tree.proof(index)] == proof
        assert verify(tree.root, leaf_hash(TYPES, values[index]), tree.proof(index))
    assert not verify(tree.root, leaf_hash(TYPES, (values[0][0], values[0][1] + 1)), tree.proof(0))


def test_a_single_leaf_is_its_own_root():
    tree = StandardTree.of([(7, 1)], TYPES)
    assert tree.root == leaf_hash(TYPES, (7, 1)) and tree.proof(0) == []


def test_a_training_log_is_checked_before_anything_is_published():
    """Issue 35: a log whose weights the on-chain record cannot hold, or whose root or total does
    not match its weights, is refused in one line (model register reads it before publishing)."""
    import json

    import pytest

    from opencommons.ml.training import SCHEMA, TrainingLogError, load_log, root_of

    def log_of(datasets, **change):
        total = str(sum(d["weight"] for d in datasets))
        return json.dumps({"schema": SCHEMA, "datasets": datasets, "totalWeight": total,
                           "merkleRoot": "0x" + root_of(datasets).hex(), **change})

    fine = [{"id": "7", "weight": 3}, {"id": "9", "weight": 5}]
    assert load_log(log_of(fine), "run.json")["totalWeight"] == "8"
    huge = [{"id": "7", "weight": 2**63}, {"id": "9", "weight": 2**63}]
    with pytest.raises(TrainingLogError, match=r"^run.json: the weights sum to 18446744073709551616, more than a "
                                               r"training record holds \(2\^64 - 1\)$"):
        load_log(log_of(huge), "run.json")
    with pytest.raises(TrainingLogError, match="^run.json: merkleRoot 0x00 is not the root of its weights"):
        load_log(log_of(fine, merkleRoot="0x00"), "run.json")
    with pytest.raises(TrainingLogError, match="^run.json: dataset 7 is listed twice$"):
        load_log(log_of([fine[0], fine[0]]), "run.json")
